"""fieldkit: offline-first toolkit for field surveys on child labour and child trafficking.

Instruments and protocols are YAML files, compiled into frozen, hashed forms::

    from fieldkit import load_project
    project = load_project([Path("protocols"), Path("instruments")])
    form = project.form("household_cl")
"""

from fieldkit.errors import FieldkitError, Location
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
