"""Parquet files (optional: needs pyarrow), one per table, written in row batches.

Numbers stay numbers: a don't-know or refused answer is null in its column, and the reason
(``.d`` / ``.r``) sits in a companion string column ``<name>__missing``. Each field carries
its label and value labels (JSON) as field metadata.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Rows, Special, Variable, VarType
from fieldkit.export.atomic import atomic_path, prepare_folder
from fieldkit.export.common import Progress, require_release
from fieldkit.export.errors import missing_extra

__all__ = ["require_pyarrow", "write_parquet"]

BATCH_ROWS = 65_536


def _arrow() -> tuple[Any, Any]:
    try:
        return import_module("pyarrow"), import_module("pyarrow.parquet")
    except ImportError:
        raise missing_extra("pyarrow", "Parquet export") from None


def require_pyarrow() -> None:
    """FK-EXPORT-001 unless pyarrow can be imported."""
    _arrow()


def write_parquet(
    dataset: Dataset,
    folder: Path | str,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    public: bool = False,
) -> list[Path]:
    """Write ``<table>.parquet`` for every table into ``folder``; return the paths."""
    pa, pq = _arrow()
    if public:
        require_release(dataset)
    out = prepare_folder(Path(folder))
    lang = language or dataset.language
    written = []
    release = {k: v for k, v in dataset.study.release}
    for name, table in dataset.tables.items():
        target = out / f"{name}.parquet"
        with atomic_path(target) as temporary:
            _write_table((pa, pq), table, temporary, lang, progress, release=release)
        written.append(target)
    return written


def _arrow_type(pa: Any, variable: Variable) -> Any:
    if variable.type in (VarType.INTEGER, VarType.FLAG) or (
        variable.type is VarType.CODE and variable.numeric_codes
    ):
        return pa.int64()
    if variable.type is VarType.KEY and variable.name == "member":
        return pa.int64()
    if variable.type is VarType.DECIMAL:
        return pa.float64()
    return pa.string()


def _schema(pa: Any, variables: Sequence[Variable], language: str) -> tuple[Any, list[int]]:
    fields, with_missing = [], []
    for i, variable in enumerate(variables):
        labels = {str(k): variable.value_text(k, language) for k in variable.value_labels}
        metadata = {"label": variable.text(language), "value_labels": json.dumps(labels)}
        fields.append(pa.field(variable.name, _arrow_type(pa, variable), metadata=metadata))
        if variable.missing:
            with_missing.append(i)
            fields.append(pa.field(f"{variable.name}__missing", pa.string()))
    return pa.schema(fields), with_missing


def _convert(value: object, arrow_type: Any, pa: Any) -> object:
    if value is None or isinstance(value, Special):
        return None
    if arrow_type == pa.string():
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if arrow_type == pa.int64() and float(value).is_integer() else value
    return None


def _write_table(
    arrow: tuple[Any, Any],
    table: Rows,
    path: Path,
    language: str,
    progress: Progress | None,
    *,
    release: dict[str, str],
) -> None:
    writer = _Batches(arrow[0], arrow[1].ParquetWriter, table, path, language, release=release)
    try:
        batch: list[Sequence[object]] = []
        done = 0
        for row in table.rows():
            batch.append(row)
            if len(batch) == BATCH_ROWS:
                done += writer.flush(batch)
                if progress is not None:
                    progress(table.name, done, table.n_rows)
        done += writer.flush(batch)
        if progress is not None:
            progress(table.name, done, table.n_rows)
    finally:
        writer.close()


class _Batches:
    def __init__(
        self,
        pa: Any,
        parquet_writer: Any,
        table: Rows,
        path: Path,
        lang: str,
        *,
        release: dict[str, str],
    ) -> None:
        self.pa = pa
        self.schema, self.with_missing = _schema(pa, table.variables, lang)
        if release:  # the file says which release it belongs to
            self.schema = self.schema.with_metadata({"fieldkit_release": json.dumps(release)})
        self.types = [_arrow_type(pa, v) for v in table.variables]
        self.writer = parquet_writer(str(path), self.schema)

    def flush(self, batch: list[Sequence[object]]) -> int:
        columns: list[list[object]] = []
        for i, arrow_type in enumerate(self.types):
            columns.append([_convert(row[i], arrow_type, self.pa) for row in batch])
            if i in self.with_missing:
                columns.append([_reason(row[i]) for row in batch])
        arrays = [self.pa.array(c) for c in columns]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))
        size = len(batch)
        batch.clear()
        return size

    def close(self) -> None:
        self.writer.close()


def _reason(value: object) -> str | None:
    return value.value if isinstance(value, Special) else None
