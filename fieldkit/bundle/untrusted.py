"""Reading files nobody has vouched for yet: bounded, non-blocking, judged one by one.

A bundle or a receipt travels on a USB stick or by e-mail, so until its signature (or its hash)
is checked it may be anything: a FIFO or a device that never ends (``/dev/zero``), a symlink to
one, a 5,000-digit number or 200,000 nested brackets meant to crash a JSON parser, a key given
twice so that two readers disagree on its value. Here:

* :func:`open_regular` opens without blocking (a FIFO with no writer would hang ``open()``),
  then refuses whatever ``fstat`` of the open file does not call a regular file (so a swap
  after a check cannot fool it) and returns the size the file had then;
* :func:`read_small` reads the whole of a small regular file, refused above a limit;
* :func:`canonical_line` parses one line of canonical JSON (what fieldkit writes: sorted keys,
  no spaces, UTF-8) with bounded nesting depth and number length, and refuses anything that
  does not re-encode to exactly the same bytes: duplicate keys, ``NaN``, lone surrogates,
  other spellings of the same data.

Failures are ``UntrustedFile`` (an ``OSError``: the file cannot be read as one) or
``ValueError`` with the reason; callers turn them into their own error codes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

from fieldkit.hashing import canonical_json

__all__ = [
    "UntrustedFile",
    "bounded_json",
    "canonical_line",
    "checked_json",
    "open_regular",
    "read_small",
    "shown",
]

MAX_DEPTH = 16
"""Deepest nesting fieldkit's own lines use is 3 (manifest → forms → entry)."""
MAX_DIGITS = 40
"""Longest run of digits accepted in a number (a 64-bit integer has 19)."""

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class UntrustedFile(OSError):
    """The path is not a regular file that can be read (FIFO, device, folder, missing...)."""


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """``path`` opened for reading, and its size; UntrustedFile unless it is a regular file.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer; the
    type is then read from the open file itself, so the file judged is the file read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as error:
        raise UntrustedFile(error.errno, error.strerror or str(error), str(path)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UntrustedFile(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb"), info.st_size


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a file")


def shown(path: Path | str) -> str:
    """A file name fit for a one-line message and any database: bytes that are not UTF-8
    and control characters (a newline in a name) written as escapes."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def read_small(path: Path, limit: int) -> bytes:
    """The whole file, if it is a regular file of at most ``limit`` bytes (else
    UntrustedFile); never reads more than ``limit + 1`` bytes, even from a growing file."""
    handle, size = open_regular(path)
    with handle:
        if size > limit:
            raise UntrustedFile(errno.EFBIG, f"too large ({size} bytes, at most {limit})")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UntrustedFile(errno.EFBIG, f"too large (more than {limit} bytes)")
    return data


def canonical_line(data: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one canonical JSON line (ending in ``\\n``); ValueError says why it is not one."""
    if not data.endswith(b"\n"):
        raise ValueError("the line does not end")
    parsed = bounded_json(data, max_depth=max_depth)
    try:
        same = canonical_json(parsed) + b"\n" == data
    except ValueError as error:  # a lone surrogate cannot be encoded back
        raise ValueError(f"not valid JSON ({_first_line(error)})") from None
    if not same:
        raise ValueError("not in fieldkit's canonical form (a repeated key, spaces or order)")
    return parsed


def bounded_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON whose nesting, numbers and keys are bounded before any parser sees it:
    ValueError for deeper nesting, longer numbers, a repeated key, NaN/Infinity, bad UTF-8."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    outside = _STRINGS.sub(b'""', raw)
    _check_depth(outside, max_depth)
    if re.search(rb"[0-9]{%d,}" % (MAX_DIGITS + 1), outside):
        raise ValueError(f"a number longer than {MAX_DIGITS} digits")
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeError and JSONDecodeError too
        raise ValueError(f"not valid JSON ({_first_line(error)})") from None


def checked_json(text: str) -> Any:
    """Parse JSON already bounded in size (by SQL, say): a repeated key, NaN/Infinity, a
    number of more than 4,300 digits or nesting deeper than Python's recursion limit give
    ValueError, never another exception. Cheaper than :func:`bounded_json` (no pre-scan)."""
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"not valid JSON ({_first_line(error)})") from None


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key is given twice")
    return data


def _check_depth(outside_strings: bytes, max_depth: int) -> None:
    depth = 0
    for bracket in _BRACKETS.finditer(outside_strings):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > max_depth:
            raise ValueError(f"nested more than {max_depth} deep")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_no_constant, object_pairs_hook=_no_repeats)
"""Built once: ``json.loads`` with hooks builds a decoder on every call."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__
