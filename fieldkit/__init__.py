"""fieldkit: offline-first toolkit for field surveys on child labour and child trafficking.

Instruments and protocols are YAML files, compiled into frozen, hashed forms::

    from fieldkit import load_project
    project = load_project([Path("protocols"), Path("instruments")])
    form = project.form("household_cl")

The public names are imported on first use (PEP 562), so ``import fieldkit.cli`` and
``fieldkit --help`` do not pay for the compiler, pydantic and lark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.errors import FieldkitError, Location
from fieldkit.lazy import lazy_exports

if TYPE_CHECKING:
    from fieldkit.instrument.compiler import compile_instrument
    from fieldkit.instrument.form import Form
    from fieldkit.project import Project, load_project, resolve_form
    from fieldkit.protocol.model import Protocol
    from fieldkit.report import Issue, Report

__all__ = [
    "FieldkitError",
    "Form",
    "Issue",
    "Location",
    "Project",
    "Protocol",
    "Report",
    "compile_instrument",
    "load_project",
    "resolve_form",
]

__version__ = "0.1.0"

_HOMES = {
    "compile_instrument": "fieldkit.instrument.compiler",
    "Form": "fieldkit.instrument.form",
    "Project": "fieldkit.project",
    "load_project": "fieldkit.project",
    "resolve_form": "fieldkit.project",
    "Protocol": "fieldkit.protocol.model",
    "Issue": "fieldkit.report",
    "Report": "fieldkit.report",
}


__getattr__ = lazy_exports(__name__, _HOMES)
