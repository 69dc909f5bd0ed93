"""Datasets straight from the coordinator store: included interviews only.

The store decides what is included (not quarantined for consent, not a duplicate set
aside, not in an unresolved unit conflict); this module reads those interviews of one form
version, their answers and roster members, each sorted by interview id, and streams them
through :func:`fieldkit.dataset.flatten.flatten`. On SQLite, :mod:`fieldkit.dataset.sqlite_pivot`
builds the same tables from rows SQLite has already grouped by interview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.flatten import DEFAULT_METADATA, flatten
from fieldkit.dataset.sqlite_pivot import flatten_sqlite
from fieldkit.indicators.derive import prepare
from fieldkit.instrument.form import Form
from fieldkit.store.coordinator import included_ids, included_select, open_coordinator
from fieldkit.store.coordinator_tables import capture_table, duplicates, merged_interviews
from fieldkit.store.protocol_texts import export_provenance

__all__ = ["flatten_rows", "flatten_store", "load_dataset", "store_counts"]


def flatten_store(
    connection: Connection,
    form: Form,
    *,
    role: str,
    language: str | None = None,
) -> Dataset:
    """The dataset of ``form`` (this exact version, by hash) from a coordinator store."""
    dataset = flatten_sqlite(connection, form, role=role, language=language)
    if dataset is None:
        dataset = flatten_rows(connection, form, role=role, language=language)
    return dataset


def flatten_rows(
    connection: Connection,
    form: Form,
    *,
    role: str,
    language: str | None = None,
) -> Dataset:
    """:func:`flatten_store` on any database: the rows streamed through :func:`flatten`."""
    interviews = capture_table("interviews")
    answers = capture_table("answers")
    members = capture_table("roster_members")
    binary = _binary(connection)
    this_version = (
        select(interviews.c.id)
        .where(interviews.c.form_hash == form.hash)
        .where(interviews.c.id.in_(included_ids(form.id)))
    )
    interview_rows = connection.execute(
        included_select(form.id)
        .where(interviews.c.form_hash == form.hash)
        .order_by(None)
        .order_by(binary(interviews.c.id))
    ).mappings()
    answer_rows = connection.execute(
        select(answers.c.interview_id, answers.c.question, answers.c.member)
        .add_columns(answers.c.value, answers.c.status)
        .where(answers.c.interview_id.in_(this_version))
        .order_by(binary(answers.c.interview_id), answers.c.member, answers.c.question)
    )
    member_rows = connection.execute(
        select(members.c.interview_id, members.c.roster, members.c.member)
        .where(members.c.interview_id.in_(this_version))
        .order_by(binary(members.c.interview_id), members.c.roster, members.c.member)
    )
    return flatten(
        form,
        (dict(row) for row in interview_rows),
        (tuple(row) for row in answer_rows),
        (tuple(row) for row in member_rows),
        role=role,
        language=language,
        metadata=DEFAULT_METADATA,
    )


def _binary(connection: Connection) -> Callable[[Any], Any]:
    """Order ids by code point, as Python compares them (PostgreSQL may use a locale)."""
    if connection.dialect.name == "postgresql":
        return lambda column: column.collate("C")
    return lambda column: column


def store_counts(connection: Connection, form_id: str) -> dict[str, int]:
    """What the About sheet reports: interviews merged, included, duplicates, quarantined."""
    merged = merged_interviews
    total = select(func.count()).select_from(merged).where(merged.c.form_id == form_id)
    counts = {
        "merged": connection.execute(total).scalar_one(),
        "included": connection.execute(total.where(merged.c.included.is_(True))).scalar_one(),
        "quarantined": connection.execute(total.where(merged.c.quarantined.is_(True))).scalar_one(),
        "duplicates": connection.execute(
            select(func.count()).select_from(duplicates).where(duplicates.c.form_id == form_id)
        ).scalar_one(),
    }
    return {key: int(value) for key, value in counts.items()}


def load_dataset(
    store: Path | str, form: Form, *, role: str, language: str | None = None
) -> tuple[Dataset, dict[str, int]]:
    """The analysis dataset of ``form`` from a coordinator store, with derived variables,
    and the counts the About sheet reports. FK-DATA-050 for a language the form lacks."""
    if language is not None and language not in form.languages:
        raise DatasetError(
            f"the instrument {form.id} has no texts in '{language}'",
            code="FK-DATA-050",
            hint=f"labels are in {', '.join(form.languages)}",
        )
    with open_coordinator(store, create=False) as db, db.read() as conn:
        dataset = flatten_store(conn, form, role=role, language=language)
        counts = store_counts(conn, form.id)
        provenance = export_provenance(conn, form.id, dataset.language)
    dataset.study = replace(dataset.study, provenance=provenance)
    prepare(dataset)
    return dataset, counts
