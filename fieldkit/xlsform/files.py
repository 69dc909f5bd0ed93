"""Where an imported instrument goes: checked before any work, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

from fieldkit.errors import FieldkitError
from fieldkit.export.atomic import atomic_path
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.errors import XlsformError

__all__ = ["check_instrument_out", "write_instrument"]

SUFFIXES = (".yaml", ".yml")


def check_instrument_out(out: Path, *, force: bool = False) -> None:
    """Refuse an --out that cannot take an instrument (before the workbook is read)."""
    if out.suffix.lower() not in SUFFIXES:
        raise XlsformError(
            f"{out}: an instrument is a .yaml file", code=codes.BAD_OUT, hint="end --out in .yaml"
        )
    if out.is_dir():
        raise XlsformError(f"{out} is a folder", code=codes.BAD_OUT, hint="give a file name")
    if out.exists() and not force:
        raise XlsformError(
            f"{out} already exists",
            code=codes.BAD_OUT,
            hint="an instrument is edited by hand after import: pick another name, or --force",
        )
    if not out.parent.is_dir():
        raise XlsformError(
            f"cannot write {out}: folder {out.parent} does not exist",
            code=codes.BAD_OUT,
            hint="create the folder first",
        )


def write_instrument(out: Path, text: str) -> None:
    try:
        with atomic_path(out) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except FieldkitError as error:
        raise XlsformError(error.message, code=codes.BAD_OUT, hint=error.hint) from None
