"""Free text coded in the office, so the codes can leave where the text may not.

Answers to ``text`` questions ("other, specify", occupation, industry) never leave in a
restricted or public release. A coder codes them in a recode file, one per instrument
(``recodes/<instrument>.yaml`` by default), kept at HQ beside the store:

    occupation:
      labels: {9211: "Farm labourer", 9333: "Porter"}
      texts:
        picks cocoa pods: 9211
        carries loads at the market: 9333
        sells water at the bus station: null      # not coded yet

``fieldkit recode`` adds every text the store holds that the file lacks (with ``null``) and
says how many are still to code; exports then carry ``<question>_code`` beside each coded
question, a variable with the file's labels, which every profile keeps. The store holds free
text sealed to the merge key (issue 11): the command opens it with
``fieldkit.privacy.freetext.open_free_text``, which writes an audit entry first, and hands
each record's text to `update_recodes`.

Datasets hold no free text then (it stays sealed), so a code cannot be found from a row's
text at export. ``recode`` therefore also writes, beside the recode file, the codes it could
give each record (``recodes/<instrument>.codes.json``: question → interview and member →
code, and a digest of the coding they came from; codes only, never a text), and exports read
them. A coding changed since (a coder filled in more codes) is FK-RELEASE-040 until
``fieldkit recode`` is run again. A row whose text is in clear (a store from before texts
were sealed) is coded from its text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Special, Table, Variable, VarType
from fieldkit.errors import Location
from fieldkit.export.atomic import all_or_nothing, atomic_path
from fieldkit.hashing import canonical_json
from fieldkit.indicators.mappings import coded_questions
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.release.errors import ReleaseError

__all__ = [
    "RecodeReport",
    "RecordTexts",
    "apply_recodes",
    "codes_path",
    "recode_questions",
    "update_recodes",
]

Code = int | str
RecordTexts = Mapping[str, Mapping[tuple[str, int], str]]
"""Question → (interview id, member) → the text given (``member`` 0 outside rosters)."""


class _Coding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: dict[Code, str] = {}
    texts: dict[str, Code | None] = {}


@dataclass
class RecodeReport:
    path: Path
    added: dict[str, int] = field(default_factory=dict)
    """Question -> texts added (to code)."""
    uncoded: dict[str, int] = field(default_factory=dict)
    """Question -> texts in the file still without a code."""


def recode_questions(form: Form, questions: Sequence[str], path: Path) -> list[str]:
    """The free-text questions to code: ``questions``, or every free-text question of
    ``form``; FK-RELEASE-031 for one that is not free text (checked before any text opens)."""
    chosen = list(questions) or _free_text(form)
    for question in chosen:
        _check_question(form, question, path)
    return chosen


def codes_path(path: Path) -> Path:
    """Where ``recode`` keeps each record's code, beside the recode file ``path``."""
    return path.with_name(f"{path.stem}.codes.json")


def update_recodes(path: Path, form: Form, texts: RecordTexts) -> RecodeReport:
    """Add the texts of each question of ``texts`` that ``path`` lacks (keeping the codes),
    and record the code each record's text has now (`codes_path`)."""
    codings = _read(path, form) if path.exists() else {}
    assigned = _read_codes(codes_path(path))
    report = RecodeReport(path)
    for question, records in texts.items():
        _check_question(form, question, path)
        coding = codings.setdefault(question, _Coding())
        new = sorted({text for text in records.values() if text} - set(coding.texts))
        coding.texts.update(dict.fromkeys(new))
        report.added[question] = len(new)
        report.uncoded[question] = sum(1 for code in coding.texts.values() if code is None)
        assigned[question] = {
            "coding": _digest(coding),
            "records": {
                _record(iid, member): code
                for (iid, member), text in sorted(records.items())
                if (code := coding.texts.get(text)) is not None
            },
        }
    data = {q: c.model_dump() for q, c in codings.items()}
    with all_or_nothing():
        with atomic_path(path) as temporary:
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            temporary.write_text(text, "utf-8")
        with atomic_path(codes_path(path)) as temporary:
            temporary.write_bytes(canonical_json(assigned) + b"\n")
    return report


def apply_recodes(dataset: Dataset, form: Form, path: Path) -> list[str]:
    """Add ``<question>_code`` to the tables holding each coded question; return their names."""
    added = []
    assigned = _read_codes(codes_path(path))
    for question, coding in _read(path, form).items():
        records = _current(assigned.get(question), coding, question, path)
        for table in dataset.tables.values():
            if isinstance(table, Table) and question in table:
                variable = Variable(
                    f"{question}_code",
                    {"en": f"{table.variable(question).text('en')} (coded)"},
                    VarType.CODE,
                    {code: {"en": label} for code, label in coding.labels.items()},
                    question=question,
                    origin="derived",
                    definition=f"the text of '{question}' coded by hand ({path.name})",
                )
                ids = table.column("interview_id")
                members = table.column("member") if "member" in table else repeat(0)
                values = [
                    _coded(value, coding, records.get(_record(iid, member)))
                    for value, iid, member in zip(
                        table.column(question), ids, members, strict=False
                    )
                ]
                table.add_column(variable, values)
                added.append(variable.name)
    return added


def _coded(value: object, coding: _Coding, assigned: Code | None) -> Code | Special | None:
    if isinstance(value, Special):
        return value
    if isinstance(value, str) and value:  # a text in clear: coded from the text itself
        return coding.texts.get(value)
    return assigned


def _record(interview_id: object, member: object) -> str:
    """A record's key in the codes file: its interview and member (0 outside rosters)."""
    return f"{interview_id}/{member or 0}"


def _digest(coding: _Coding) -> str:
    texts = {text: code for text, code in coding.texts.items() if code is not None}
    return hashlib.sha256(canonical_json(texts)).hexdigest()


def _current(
    assigned: dict[str, Any] | None, coding: _Coding, question: str, path: Path
) -> dict[str, Code]:
    """The records' codes for ``question``, if they come from the coding in the file now."""
    if assigned is None:
        return {}
    if assigned.get("coding") != _digest(coding):
        raise ReleaseError(
            f"the codes of '{question}' changed in {path.name} since 'fieldkit recode' gave "
            "them to the records",
            code="FK-RELEASE-040",
            location=Location(file=str(codes_path(path))),
            hint="run 'fieldkit recode' again (it opens the texts and applies the codes), "
            "then export",
        )
    return dict(assigned.get("records", {}))


def _read_codes(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise _bad_codes(path, str(error)) from None
    if not isinstance(data, dict):
        raise _bad_codes(path, "not a JSON object")
    return data


def _bad_codes(path: Path, why: str) -> ReleaseError:
    return ReleaseError(
        f"{path.name} cannot be read: {why}",
        code="FK-RELEASE-031",
        location=Location(file=str(path)),
        hint="delete it and run 'fieldkit recode' again: it is written anew",
    )


def _free_text(form: Form) -> list[str]:
    """Text questions a coder may code: not identifying, not a code already (the ISIC/ISCO
    code questions), and not a description the instrument codes at capture (``industry``
    beside ``industry_code``: its code is there, and a recode would overwrite it)."""
    codes = coded_questions(str(form.kind))
    return [
        n
        for n, q in form.questions.items()
        if q.type is QuestionType.TEXT and not q.pii and n not in codes
        if f"{n}_code" not in form.questions
    ]


def _check_question(form: Form, question: str, path: Path) -> None:
    if question in _free_text(form):
        return
    coded = f"{question}_code"
    reason = (
        f"'{question}' is coded at capture ('{coded}'), which every profile keeps"
        if coded in form.questions
        else f"'{question}' is not a free-text question of '{form.id}'"
    )
    raise ReleaseError(
        reason,
        code="FK-RELEASE-031",
        location=Location(file=str(path)),
        hint="free-text questions: " + (", ".join(_free_text(form)) or "none"),
    )


def _mapping(data: object) -> dict[object, object]:
    if not isinstance(data, dict):
        raise TypeError("a mapping of question -> labels and texts")
    return data


def _read(path: Path, form: Form) -> dict[str, _Coding]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        codings = {str(q): _Coding.model_validate(c) for q, c in _mapping(data).items()}
    except (OSError, yaml.YAMLError, TypeError, ValidationError) as error:
        raise ReleaseError(
            f"recode file {path} cannot be read: {str(error).splitlines()[0]}",
            code="FK-RELEASE-031",
            location=Location(file=str(path)),
            hint="each question maps to 'labels: {code: label}' and 'texts: {text: code}'",
        ) from None
    for question, coding in codings.items():
        _check_question(form, question, path)
        unknown = sorted(
            {str(c) for c in coding.texts.values() if c is not None}
            - {str(c) for c in coding.labels}
        )
        if unknown:
            raise ReleaseError(
                f"recode file {path}: '{question}' uses codes without a label: "
                + ", ".join(unknown[:5]),
                code="FK-RELEASE-031",
                location=Location(file=str(path)),
                hint="add each code to the question's labels",
            )
    return codings
