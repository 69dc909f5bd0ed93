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
question, a variable with the file's labels, which every profile keeps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Special, Table, Variable, VarType
from fieldkit.errors import Location
from fieldkit.export.atomic import atomic_path
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.release.errors import ReleaseError

__all__ = ["RecodeReport", "apply_recodes", "update_recodes"]

Code = int | str


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


def update_recodes(
    path: Path, form: Form, dataset: Dataset, questions: Sequence[str]
) -> RecodeReport:
    """Add the texts ``dataset`` holds for ``questions`` that ``path`` lacks; keep codes."""
    codings = _read(path, form) if path.exists() else {}
    report = RecodeReport(path)
    for question in questions or _free_text(form):
        _check_question(form, question, path)
        coding = codings.setdefault(question, _Coding())
        found = _texts(dataset, question)
        new = sorted(text for text in found if text not in coding.texts)
        coding.texts.update(dict.fromkeys(new))
        report.added[question] = len(new)
        report.uncoded[question] = sum(1 for code in coding.texts.values() if code is None)
    data = {q: c.model_dump() for q, c in codings.items()}
    with atomic_path(path) as temporary:
        temporary.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return report


def apply_recodes(dataset: Dataset, form: Form, path: Path) -> list[str]:
    """Add ``<question>_code`` to the tables holding each coded question; return their names."""
    added = []
    for question, coding in _read(path, form).items():
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
                values = [_coded(value, coding) for value in table.column(question)]
                table.add_column(variable, values)
                added.append(variable.name)
    return added


def _coded(value: object, coding: _Coding) -> Code | Special | None:
    if isinstance(value, Special):
        return value
    return coding.texts.get(str(value)) if value is not None else None


def _texts(dataset: Dataset, question: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for table in dataset.tables.values():
        if isinstance(table, Table) and question in table:
            found.update(str(v) for v in table.column(question) if isinstance(v, str) and v)
    return found


def _free_text(form: Form) -> list[str]:
    return [n for n, q in form.questions.items() if q.type is QuestionType.TEXT and not q.pii]


def _check_question(form: Form, question: str, path: Path) -> None:
    if question not in _free_text(form):
        raise ReleaseError(
            f"'{question}' is not a free-text question of '{form.id}'",
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
