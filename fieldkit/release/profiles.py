"""Release profiles: what a dataset keeps when it leaves the tool as ``internal``,
``restricted`` or ``public`` (issue 12; the protocol's ``release:`` block).

- ``internal``: everything a dataset has (identities never are in one).
- ``restricted``: no free text (type ``text`` questions: recode them to codes first with
  ``fieldkit recode``; the ISIC/ISCO code questions the indicators read are codes, and leave
  as 4-digit codes only), no staff or device ids, no variables the protocol withholds; dates
  and times kept to the month; interview ids replaced by release numbers; exact ages kept.
- ``public``: also no unit numbers (the unit key, the sampling cluster), no dates or times
  at all, ages only in the protocol's bands, geography only at the protocol's levels; then
  k-anonymous on the protocol's quasi-identifiers (:mod:`fieldkit.release.anonymity`).

Interview ids become 1, 2, ... in the wide table's order, the same in every roster, so the
tables still join but no id leads back to the store or a bundle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Rows, Special, StreamTable, Table, Variable, VarType
from fieldkit.indicators.codes import normalise_code
from fieldkit.indicators.mappings import coded_questions
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import DisaggregationRole, QuestionType
from fieldkit.protocol.schema import Profile, ReleaseModel
from fieldkit.release.anonymity import anonymise
from fieldkit.release.errors import ReleaseError

__all__ = [
    "Profile",
    "ProfiledDataset",
    "apply_profile",
    "check_variables",
    "left_out",
    "prepare_microdata",
]

STAFF = ("enumerator", "device", "supervisor")
"""Metadata naming the people and machines that collected the data."""
_KEY = "interview_id"
_DATED = (VarType.DATE, VarType.DATETIME, VarType.TIME)


@dataclass
class ProfiledDataset:
    dataset: Dataset
    profile: Profile
    dropped: dict[str, list[str]] = field(default_factory=dict)
    """Reason -> variables left out (every table)."""
    coarsened: list[str] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)
    """Public: quasi-identifier values blanked per table for k-anonymity."""

    def about(self, user: str | None = None) -> tuple[tuple[str, str], ...]:
        """What the About sheet (or a file's header) says about this release."""
        lines = [("Release profile", self.profile.value)]
        if user is not None:
            lines.append(("Released by", user))
        for reason, names in self.dropped.items():
            lines.append((f"Left out: {reason}", ", ".join(names)))
        if self.coarsened:
            lines.append(("Dates kept to the month", ", ".join(self.coarsened)))
        for table, blanked in self.suppressed.items():
            if blanked:
                lines.append((f"Values blanked for k-anonymity: {table}", str(blanked)))
        return tuple(lines)


def prepare_microdata(
    dataset: Dataset, form: Form, profile: Profile, *, user: str | None = None
) -> ProfiledDataset:
    """``dataset`` as ``profile`` lets it leave: variables dropped or coarsened, public
    microdata made k-anonymous (refused when it cannot be); the About sheet says so."""
    result = apply_profile(dataset, form, profile)
    if profile is Profile.PUBLIC:
        settings = form.protocol.model.release
        done = anonymise(result.dataset, settings, dataset.language)
        result.suppressed = done.suppressed
    study = replace(result.dataset.study, release=result.about(user))
    result.dataset = replace(result.dataset, study=study)
    return result


@dataclass(frozen=True)
class _Rule:
    """What one variable becomes: kept, dropped (with why) or mapped."""

    reason: str | None = None
    map: Callable[[Cell], Cell] | None = None
    variable: Variable | None = None


def apply_profile(dataset: Dataset, form: Form, profile: Profile) -> ProfiledDataset:
    """A copy of ``dataset`` as ``profile`` lets it leave (tables computed before are not
    touched: they are protected by :func:`fieldkit.release.publish`)."""
    result = ProfiledDataset(dataset, profile)
    if profile is Profile.INTERNAL:
        return result
    context = _context(dataset, form, profile)
    numbers = _release_numbers(dataset)
    tables: dict[str, Rows] = {}
    for name, table in dataset.tables.items():
        rules = [_rule(v, context) for v in table.variables]
        for variable, rule in zip(table.variables, rules, strict=True):
            if rule.reason is not None:
                result.dropped.setdefault(rule.reason, [])
                if variable.name not in result.dropped[rule.reason]:
                    result.dropped[rule.reason].append(variable.name)
            elif rule.map is _month:
                if variable.name not in result.coarsened:
                    result.coarsened.append(variable.name)
        tables[name] = _mapped(table, rules, numbers)
    result.dataset = replace(dataset, tables=tables)
    return result


def left_out(dataset: Dataset, form: Form, profile: Profile) -> dict[str, str]:
    """Variable -> why ``profile`` leaves it out (no release computes anything from it)."""
    if profile is Profile.INTERNAL:
        return {}
    context = _context(dataset, form, profile)
    found: dict[str, str] = {}
    for table in dataset.tables.values():
        for variable in table.variables:
            reason = _rule(variable, context).reason
            if reason is not None:
                found[variable.name] = reason
    return found


def check_variables(dataset: Dataset, form: Form, profile: Profile, names: Sequence[str]) -> None:
    """Refuse (FK-RELEASE-030) a table of a ``profile`` release that reads a variable the
    profile leaves out: a count by enumerator or exact age would publish it after all."""
    reasons = left_out(dataset, form, profile)
    for name in names:
        if name in reasons:
            raise ReleaseError(
                f"'{name}' is left out of {profile.value} releases ({reasons[name]})",
                code="FK-RELEASE-030",
                hint="tabulate by a variable the profile keeps (an age band, a region), "
                "or ask for a release of another profile",
            )


def _context(dataset: Dataset, form: Form, profile: Profile) -> _Context:
    text = frozenset(n for n, q in form.questions.items() if q.type is QuestionType.TEXT)
    codes = text & coded_questions(str(form.kind))
    return _Context(
        profile, form.protocol.model.release, dataset, tuple(form.unit_key), text - codes, codes
    )


@dataclass(frozen=True)
class _Context:
    profile: Profile
    settings: ReleaseModel
    dataset: Dataset
    unit_key: tuple[str, ...]
    free_text: frozenset[str]
    """Questions of type text."""
    codes: frozenset[str] = frozenset()
    """Text questions that hold ISIC/ISCO codes (:func:`coded_questions`)."""


def _rule(variable: Variable, context: _Context) -> _Rule:
    if variable.name == _KEY:
        return _Rule(map=lambda v: v, variable=replace(variable, type=VarType.INTEGER))
    reason = _left_out(variable, context)
    if reason is None and context.profile is Profile.PUBLIC:
        reason = _left_out_of_public(variable, context)
    if reason is not None:
        return _Rule(reason)
    if variable.type in _DATED:
        return _Rule(map=_month, variable=replace(variable, type=VarType.TEXT))
    if variable.question in context.codes and variable.origin != "derived":
        return _Rule(map=_code)
    return _Rule()


def _left_out(variable: Variable, context: _Context) -> str | None:
    """Why ``restricted`` (and so ``public``) leaves a variable out, if it does."""
    if variable.name.startswith(STAFF):
        return "staff or device id"
    if variable.name in context.settings.withheld:
        return "withheld by the protocol"
    if variable.question in context.free_text and variable.origin != "derived":
        return "free text (recode it to codes with fieldkit recode)"
    if variable.type is VarType.TIME:
        return "date or time"
    return None


def _left_out_of_public(variable: Variable, context: _Context) -> str | None:
    design = context.dataset.study.sample_design
    cluster = design.psu if design is not None else None
    if variable.type in _DATED:
        return "date or time"
    if variable.name in context.unit_key or variable.name == cluster:
        return "unit or cluster number"
    band = band_name(context.settings)
    aged = variable.role is DisaggregationRole.AGE or variable.name.startswith("age")
    if aged and variable.name != band:  # age, age_r, age_from_dob, other schemes' bands
        return "exact age or another age scheme"
    geography = context.settings.geography
    if variable.role is DisaggregationRole.DISTRICT and variable.name not in geography:
        return "geography below the protocol's level"
    return None


def band_name(settings: ReleaseModel) -> str:
    return f"age_band_{settings.age_bands}"


def _month(value: Cell) -> Cell:
    """2024-03-17 or 2024-03-17T08:15:00Z -> 2024-03 (other values as they are)."""
    if isinstance(value, str) and len(value) >= 7 and value[4] == "-":
        return value[:7]
    return value


def _code(value: Cell) -> Cell:
    """A code question's answer as a 4-digit code; whatever else was typed there stays home."""
    if value is None or isinstance(value, Special):
        return value
    return normalise_code(value)


def _release_numbers(dataset: Dataset) -> dict[Cell, int]:
    main = dataset.tables.get(dataset.main)
    if main is None:
        return {}
    names = [v.name for v in main.variables]
    if _KEY not in names:
        return {}
    at = names.index(_KEY)
    return {row[at]: number for number, row in enumerate(main.rows(), start=1)}


def _mapped(table: Rows, rules: list[_Rule], numbers: dict[Cell, int]) -> Rows:
    kept = [
        (i, rule, rule.variable or variable)
        for i, (variable, rule) in enumerate(zip(table.variables, rules, strict=True))
        if rule.reason is None
    ]
    variables = [variable for _, _, variable in kept]

    def convert(row: Sequence[Cell]) -> tuple[Cell, ...]:
        out = []
        for i, rule, variable in kept:
            value = row[i]
            if variable.name == _KEY:
                value = numbers.get(value, value)
            elif rule.map is not None:
                value = rule.map(value)
            out.append(value)
        return tuple(out)

    if isinstance(table, Table):
        copy = Table(table.name, variables, table.label)
        copy.extend(convert(row) for row in table.rows())
        return copy

    def source() -> Iterable[Sequence[Cell]]:
        return (convert(row) for row in table.rows())

    return StreamTable(table.name, variables, source, table.n_rows)
