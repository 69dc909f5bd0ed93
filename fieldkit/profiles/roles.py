"""Trafficker profiles: who took part in the chain, and how, by type of exploitation.

The ILO guidance counts as traffickers everyone who takes part with intent to exploit:
recruiters, intermediaries, document providers, transporters, corrupt officials and
employers (Book 2, 2.5). The instruments ask which of them took part (``*_roles``), who
recruited the child (HTCDS ``vic_RelationshipToTrafficker``), how (HTCDS
``vic_MethodOfRecruitment``) and the means of control (``moc_*``). Each is published as a
table of children by type of exploitation, counts only, protected like every table:

    tables = role_tables(dataset)
    published, _ = publish(dataset, tables)
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Table, Variable, VarType
from fieldkit.profiles.vulnerability import children_table
from fieldkit.routes.longtables import mentions
from fieldkit.stats.tabulate import Crosstab, crosstab

__all__ = ["EXPLOITATION", "add_exploitation_type", "role_tables"]

EXPLOITATION = "tip_exploit_type"
TYPES: Mapping[Cell, Mapping[str, str]] = {
    "sexual": {"en": "Sexual exploitation", "fr": "Exploitation sexuelle"},
    "labour": {"en": "Labour exploitation", "fr": "Exploitation par le travail"},
    "sexual_and_labour": {"en": "Both", "fr": "Les deux"},
    "other": {"en": "Other exploitation", "fr": "Autre exploitation"},
}
LABOUR = ("forced_labour", "child_labour", "servitude", "forced_begging")
PREFIXES = ("tip_", "cw_")


def add_exploitation_type(table: Table) -> str | None:
    """Add the CTDC broad type of exploitation from ``tip_exploitation``; its name."""
    if EXPLOITATION in table:
        return EXPLOITATION
    if "tip_exploitation" not in table:
        return None
    chosen = [_choices(table, "tip_exploitation", i) for i in range(len(table))]
    table.add_column(
        Variable(
            name=EXPLOITATION,
            label={"en": "Type of exploitation (broad)", "fr": "Type d'exploitation"},
            type=VarType.CODE,
            value_labels=TYPES,
            origin="derived",
            definition="sexual_exploitation selected: sexual; one of "
            f"{', '.join(LABOUR)}: labour; both: sexual_and_labour; any other: other",
            source="CTDC global dataset codebook (isSexualExploit, isForcedLabour)",
        ),
        [_type(found) for found in chosen],
    )
    return EXPLOITATION


def _choices(table: Table, question: str, row: int) -> set[str] | None:
    prefix = f"{question}__"
    flags = [n for n in table.names if n.startswith(prefix)]
    values = {n[len(prefix) :]: table.column(n)[row] for n in flags}
    if all(v is None for v in values.values()):
        return None
    return {name for name, v in values.items() if v == 1}


def _type(found: set[str] | None) -> Cell:
    if not found:
        return None
    sexual = "sexual_exploitation" in found
    labour = bool(found & set(LABOUR))
    if sexual and labour:
        return "sexual_and_labour"
    return "sexual" if sexual else "labour" if labour else "other"


def role_tables(dataset: Dataset, language: str | None = None) -> list[Crosstab]:
    """Roles in the chain, the recruiter's relation, recruitment methods and means of
    control, each by type of exploitation (asked only of children recruited or moved)."""
    children = children_table(dataset)
    exploited = add_exploitation_type(children)
    victims = children  # these questions are asked only of children recruited or moved
    by = [exploited] if exploited else []
    lang = language or dataset.language
    study = dataset.study
    found: list[Crosstab] = []
    for question, title in _questions(victims):
        if victims.variable(question).type is VarType.CODE:
            found.append(crosstab(victims, question, by, study=study, language=lang, title=title))
            continue
        long = mentions(dataset, victims, question, name=f"{victims.name}__{question}", keep=by)
        if long is not None and len(long):
            found.append(crosstab(long, question, by, study=study, language=lang, title=title))
    return found


def _questions(table: Table) -> list[tuple[str, str]]:
    wanted = (
        ("roles", "Who took part in the chain (children may name several)"),
        ("recruiter_relation", "Who recruited the child"),
        ("recruit_method", "How the child was recruited (children may name several)"),
        ("control", "Means of control (children may name several)"),
    )
    found = []
    for stem, title in wanted:
        for prefix in PREFIXES:
            if prefix + stem in table:
                found.append(
                    (prefix + stem, f"Trafficking chain: {title}, by type of exploitation")
                )
                break
    return found
