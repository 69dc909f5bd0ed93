"""Cost of one compiled expression evaluation vs a plain Python floor, in the same run.

.venv/bin/python bench/expression_eval.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Sequence

from fieldkit.instrument.expression import MISSING, compile_evaluator, parse

REPEATS = 7
CALLS = 20_000


class Answers:
    def __init__(self, answers: dict[str, object]) -> None:
        self.answers = answers

    def value(self, name: str) -> object:
        return self.answers.get(name, MISSING)

    def values(self, name: str) -> Sequence[object]:
        return ()

    def current(self) -> object:
        return MISSING

    def property(self, name: str) -> object:
        return MISSING

    def position(self) -> int | None:
        return None

    def today(self) -> dt.date:
        return dt.date(2027, 1, 1)

    def now(self) -> dt.datetime:
        return dt.datetime(2027, 1, 1)


def per_call(function: object, env: Answers) -> float:
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(CALLS):
            function(env)  # type: ignore[operator]
        runs.append((time.perf_counter() - start) / CALLS)
    return statistics.median(runs)


def main() -> None:
    env = Answers({"age": 12, "work": ("farm",)})
    compiled = compile_evaluator(parse("${age} >= 5 and selected(${work}, 'farm')"))

    def floor(env: Answers) -> bool:
        age, work = env.value("age"), env.value("work")
        return isinstance(age, int) and age >= 5 and "farm" in work  # type: ignore[operator]

    ours, raw = per_call(compiled, env), per_call(floor, env)
    print(f"compiled expression: {ours * 1e6:.2f} µs/eval")
    print(f"hand-written floor:  {raw * 1e6:.2f} µs/eval")
    print(f"ratio:               {ours / raw:.1f}x")


if __name__ == "__main__":
    main()
