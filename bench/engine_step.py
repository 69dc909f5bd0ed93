"""How long one interview step costs on a large generated form.

    .venv/bin/python bench/engine_step.py [--questions 1000] [--members 6] [--seed 1]

Generates an instrument as YAML text (integers with constraints, selects, relevance chains,
calculations, choice filters, a roster whose count comes from an answer), compiles it with
the real compiler, then drives one full interview with random valid answers. A step is
``session.answer(text)`` plus ``session.current()`` (the next prompt). The floor is a loop
doing only ``dict[key] = answer`` for the same answers, timed the same way in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import textwrap
import time
from collections.abc import Callable

from fieldkit.capture import Engine, Prompt, PromptKind, Session
from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.source import parse_source
from fieldkit.protocol.compiler import compile_protocol_document

PROTOCOL = """\
id: bench
title: Bench
languages: [en]
purpose: Benchmark
population: Generated
definitions:
  - {term: child, definition: Anyone under 18}
collection:
  windows:
    - {name: main, start: 2027-01-01, end: 2027-12-31}
tools: [household]
ethics:
  screening:
    - {name: safe, label: "Safe to continue?", stop_when: [2]}
  consent:
    adult: "Do you agree?"
    guardian: "Does your child take part?"
    child_assent: "Do you want to take part?"
  distress_protocol: Stop
  referral: Refer
roles:
  enumerator: {answers: own}
data_use_statement: Statistics only
identity_retention_days: 30
"""

HEADER = """\
id: bench_form
title: Bench form
kind: household
protocol: bench
languages: [en]
respondents: [adult]
choices:
  yes_no:
    - {value: 1, label: "Yes"}
    - {value: 2, label: "No"}
  sex:
    - {value: 1, label: Male}
    - {value: 2, label: Female}
  region:
    - {value: north, label: North}
    - {value: south, label: South}
  district:
    - {value: n1, label: North 1, filter: {region: north}}
    - {value: n2, label: North 2, filter: {region: north}}
    - {value: s1, label: South 1, filter: {region: south}}
    - {value: s2, label: South 2, filter: {region: south}}
  items:
    - {value: a, label: A}
    - {value: b, label: B}
    - {value: c, label: C}
    - {value: d, label: D}
sections:
"""

ROSTER_SIZE = 10  # questions per roster member


def _block(i: int) -> str:
    """Ten questions: a chain of relevance, calculations, a cascade, a multiple choice."""
    return textwrap.dedent(f"""\
      - {{name: n{i}, type: integer, label: N{i}, required: true,
         constraint: ". >= 0 and . <= 100", constraint_message: "0 to 100"}}
      - {{name: y{i}, type: select_one, choices: yes_no, label: Y{i}}}
      - {{name: r{i}, type: integer, label: R{i}, relevant: "${{y{i}}} = 1"}}
      - {{name: r{i}b, type: decimal, label: R{i}b, relevant: "${{r{i}}} > 10"}}
      - {{name: c{i}, type: calculate, calculation: "${{n{i}}} + coalesce(${{r{i}}}, 0)"}}
      - {{name: g{i}, type: select_one, choices: region, label: G{i}}}
      - {{name: d{i}, type: select_one, choices: district, label: D{i},
         choice_filter: "region = ${{g{i}}}"}}
      - {{name: m{i}, type: select_multiple, choices: items, label: M{i},
         relevant: "${{c{i}}} > 20"}}
      - {{name: k{i}, type: integer, label: K{i}, allow_dont_know: true,
         relevant: "count-selected(${{m{i}}}) >= 2 or ${{n{i}}} > 50"}}
      - {{name: t{i}, type: text, label: T{i}}}
    """)


def _roster() -> str:
    return textwrap.dedent("""\
      - {name: hh_size, type: integer, label: Household size, required: true,
         constraint: ". >= 1 and . <= 30", constraint_message: "1 to 30"}
      - name: people
        type: repeat
        label: People
        count: ${hh_size}
        questions:
          - {name: sex, type: select_one, choices: sex, label: Sex, disaggregation: sex}
          - {name: age, type: integer, label: Age, disaggregation: age,
             constraint: ". >= 0 and . <= 110", constraint_message: "0 to 110"}
          - {name: is_child, type: calculate, calculation: "${age} < 18"}
          - {name: school, type: select_one, choices: yes_no, label: School,
             relevant: "${age} >= 5 and ${age} < 18"}
          - {name: work, type: select_one, choices: yes_no, label: Work,
             relevant: "${age} >= 5"}
          - {name: hours, type: integer, label: Hours, relevant: "${work} = 1"}
          - {name: heavy, type: calculate, calculation: "if(${is_child}, ${hours} > 14, false())"}
          - {name: tasks, type: select_multiple, choices: items, label: Tasks,
             relevant: "${work} = 1"}
          - {name: member_no, type: calculate, calculation: "position()"}
          - {name: note_m, type: text, label: Note}
      - {name: children, type: calculate, calculation: "count(${people})"}
      - {name: total_hours, type: calculate, calculation: "sum(${hours})"}
    """)


def instrument(questions: int) -> str:
    """An instrument with ``questions`` questions (each roster question counted once)."""
    fixed = ROSTER_SIZE + 4  # hh_size, the roster itself, two aggregates
    blocks = max(1, (questions - fixed) // 10)
    extra = max(0, questions - fixed - 10 * blocks)
    parts = [HEADER]
    per_section = 5
    for start in range(0, blocks, per_section):
        relevant = f'    relevant: "${{n{start - 1}}} != 99"\n' if start else ""
        parts.append(f"  - name: s{start}\n    label: Section {start}\n{relevant}    questions:\n")
        for i in range(start, min(blocks, start + per_section)):
            parts.append(textwrap.indent(_block(i), "    "))
        if start == 0:
            parts.append(textwrap.indent(_roster(), "    "))
    for i in range(extra):
        parts.append(f"    - {{name: x{i}, type: integer, label: X{i}}}\n")
    return "".join(parts)


def compile_form(questions: int) -> Form:
    protocol, issues = compile_protocol_document(parse_source(PROTOCOL, "bench-protocol.yaml"))
    if protocol is None:
        sys.exit("\n".join(i.one_line() for i in issues))
    result = compile_text(instrument(questions), {protocol.id: protocol}, "bench.yaml")
    if result.form is None:
        sys.exit("\n".join(i.one_line() for i in result.report.issues))
    return result.form


def random_answer(prompt: Prompt, rng: random.Random, members: int) -> str:
    if prompt.kind is not PromptKind.QUESTION:
        return "1" if prompt.kind is not PromptKind.OTHERS_PRESENT else "nobody"
    if prompt.name == "hh_size":
        return str(members)
    makers: dict[QuestionType, Callable[[], str]] = {
        QuestionType.INTEGER: lambda: str(rng.randint(0, 100)),
        QuestionType.DECIMAL: lambda: f"{rng.uniform(0, 50):.2f}",
        QuestionType.TEXT: lambda: rng.choice(["a", "bb", "ccc"]),
        QuestionType.SELECT_ONE: lambda: rng.choice(prompt.choices).key,  # as the screen shows
        QuestionType.SELECT_MULTIPLE: lambda: " ".join(
            c.key for c in rng.sample(prompt.choices, min(len(prompt.choices), rng.randint(1, 3)))
        ),
    }
    maker = makers.get(prompt.type)
    return maker() if maker is not None else ""


def drive(session: Session, rng: random.Random, members: int) -> tuple[list[int], list[str]]:
    """Answer until complete; the step times (ns) and the answers given."""
    times: list[int] = []
    given: list[str] = []
    clock = time.perf_counter_ns
    prompt = session.current()
    while prompt is not None:
        raw = random_answer(prompt, rng, members)
        began = clock()
        step = session.answer(raw)
        prompt = session.current()
        times.append(clock() - began)
        if not step.ok:
            sys.exit(f"refused {raw!r} for {step.records}: {step.message}")
        given.append(raw)
    return times, given


def floor(answers: list[str]) -> list[int]:
    store: dict[tuple[str, int], str] = {}
    clock = time.perf_counter_ns
    times: list[int] = []
    for index, raw in enumerate(answers):
        began = clock()
        store[(raw, index)] = raw
        times.append(clock() - began)
    return times


def describe(times: list[int]) -> str:
    ordered = sorted(times)
    median = statistics.median(ordered) / 1000
    p95 = ordered[int(0.95 * (len(ordered) - 1))] / 1000
    return f"median {median:8.1f} µs   p95 {p95:8.1f} µs   max {ordered[-1] / 1000:8.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--members", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    form = compile_form(args.questions)
    compiled = time.perf_counter()
    engine = Engine(form)
    prepared = time.perf_counter()
    session = engine.start()
    consent = 0
    while session.consenting:  # the consent block (not timed as form steps)
        prompt = session.current()
        assert prompt is not None
        session.answer(random_answer(prompt, random.Random(0), args.members))
        consent += 1
    opened = time.perf_counter()
    steps, given = drive(session, random.Random(args.seed), args.members)
    per_step = session.evaluations / max(1, len(steps))
    print(f"form: {len(form.questions)} questions; {len(steps)} steps; {consent} consent prompts")
    ms = {"compile": compiled - began, "Engine()": prepared - compiled, "start": opened - prepared}
    print("; ".join(f"{what} {1000 * seconds:.1f} ms" for what, seconds in ms.items()))
    floor_times = floor(given)
    ratio = statistics.median(steps) / max(1.0, statistics.median(floor_times))
    print(f"step (answer + recompute + next prompt): {describe(steps)}")
    print(f"floor (dict assignment only):            {describe(floor_times)}")
    print(f"ratio (median step / median floor):      {ratio:.0f}x")
    print(f"evaluations: {session.evaluations} ({per_step:.1f} per step)")


if __name__ == "__main__":
    main()
