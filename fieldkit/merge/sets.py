"""``column IN (many values)`` as one bound parameter, whatever the number of values.

SQLAlchemy's ``in_(list)`` binds one parameter per value, and rendering and binding them cost
more than the lookups once a batch holds hundreds of ids. SQLite gets the values as one JSON
array (``IN (SELECT value FROM json_each(?))``), PostgreSQL as one array (``= ANY(?)``).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

__all__ = ["one_of"]


def one_of(
    conn: Connection, column: ColumnElement[Any], values: Collection[str] | Collection[int]
) -> ColumnElement[bool]:
    items: list[Any] = sorted(values)
    if conn.dialect.name == "sqlite":
        listed: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(items), type_=String))
        )
        return column.in_(listed.scalar_subquery())
    kind = Integer if items and isinstance(items[0], int) else String
    return column == any_(bindparam(None, items, type_=ARRAY(kind)))
