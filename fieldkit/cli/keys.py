"""fieldkit keys init / show-public: the study's identity and merge keys.

The identity key is split at once into custodians' shares, each wrapped by its custodian's
passphrase; it never touches disk whole. The merge key is the coordinator's, wrapped by the
coordinator's passphrase. Laptops get project.pub (public keys only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.cli.unlock import passphrase, source_passphrase, split_source
from fieldkit.errors import Location, PrivacyError

__all__ = ["all_or_none", "keys_app", "refuse_existing", "register", "require_folder"]

keys_app = typer.Typer(
    name="keys",
    help="Project keys: laptops seal with project.pub; K custodians together open identities, "
    "the coordinator's merge key opens bundles.",
    no_args_is_help=True,
)

Custodians = Annotated[
    list[str] | None,
    typer.Option(
        "--custodian",
        help="A custodian: NAME, NAME=file:PATH or NAME=env:VAR (their passphrase's source; "
        "a bare NAME is asked for). Repeat for each custodian.",
    ),
]


@keys_app.command("init")
def init(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for project.pub, merge.key and shares/.")
    ] = Path("keys"),
    custodians: Annotated[
        int | None,
        typer.Option("--custodians", "-n", min=2, max=255, help="How many custodians (N)."),
    ] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", "-k", min=2, help="How many open an identity (K>=2).")
    ] = 2,
    custodian: Custodians = None,
    merge_passphrase_file: Annotated[
        Path | None,
        typer.Option("--merge-passphrase-file", help="The merge key's passphrase, from a file."),
    ] = None,
    merge_passphrase_env: Annotated[
        str | None,
        typer.Option(
            "--merge-passphrase-env", help="The merge key's passphrase, from this variable."
        ),
    ] = None,
) -> None:
    """Create the study's keys: project.pub, merge.key, and one share per custodian."""
    from fieldkit.privacy.custody import create_project_keys, share_file_name
    from fieldkit.privacy.keys import fingerprint

    named = _custodians(custodian or [], custodians)
    shares_dir = out / "shares"
    paths = {"public": out / "project.pub", "merge": out / "merge.key"}
    share_paths = {name: shares_dir / share_file_name(name) for name, _ in named}
    if len(set(share_paths.values())) != len(named):
        raise typer.BadParameter(
            "two custodians' names give the same share file name", param_hint="--custodian"
        )
    refuse_existing([*paths.values(), *share_paths.values()])
    require_folder(out)
    merge_secret = passphrase(
        merge_passphrase_file,
        merge_passphrase_env,
        prompt="Passphrase for the coordinator's merge key",
        confirm=True,
    )
    people = [
        (name, source_passphrase(source, prompt=f"{name}'s passphrase", confirm=True))
        for name, source in named
    ]
    made = create_project_keys(
        merge_passphrase=merge_secret, custodians=people, threshold=threshold
    )
    assert made.merge_file is not None
    with all_or_none(out) as write:
        write(paths["public"], made.public_file)
        write(paths["merge"], made.merge_file)
        for name, data in made.share_files.items():
            write(share_paths[name], data)
    console.print(
        f"wrote {escape(str(paths['public']))} (identity {fingerprint(made.public.identity)}, "
        f"merge {fingerprint(made.public.merge)}): copy it to every laptop"
    )
    console.print(f"wrote {escape(str(paths['merge']))}: the coordinator's, for merging")
    for name in made.share_files:
        console.print(f"wrote {escape(str(share_paths[name]))}: give it to {escape(name)} only")
    console.print(
        f"any {threshold} of the {len(named)} custodians together open one record's "
        "identities (fieldkit reveal); no single file does"
    )


def _custodians(given: list[str], count: int | None) -> list[tuple[str, str | None]]:
    named = [split_source(item) for item in given]
    if count is None:
        count = len(named)
    if named and len(named) != count:
        raise typer.BadParameter(
            f"{len(named)} --custodian given for --custodians {count}", param_hint="--custodian"
        )
    if count < 2:
        raise typer.BadParameter(
            "two-person custody needs at least 2 custodians", param_hint="--custodians"
        )
    while len(named) < count:
        name = str(typer.prompt(f"Custodian {len(named) + 1} of {count}: name")).strip()
        named.append((name, None))
    return named


@keys_app.command("show-public")
def show_public(
    path: Annotated[Path, typer.Argument(help="A project.pub file.")] = Path("keys/project.pub"),
) -> None:
    """Print the project's public keys and their fingerprints."""
    from fieldkit.privacy.keys import fingerprint, load_project_keys

    keys = load_project_keys(path)
    console.print(escape(path.read_text(encoding="utf-8").strip()))
    console.print(f"identity {fingerprint(keys.identity)}  merge {fingerprint(keys.merge)}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


def refuse_existing(paths: list[Path]) -> None:
    for path in paths:
        if path.exists():
            raise PrivacyError(
                f"{path.name} already exists: keys are never overwritten",
                code="FK-KEY-003",
                location=Location(str(path)),
                hint="answers sealed to the old keys would become unreadable; "
                "choose another --out folder (or 'fieldkit keys rotate')",
            )


def require_folder(out: Path) -> None:
    """``out`` is a folder or can become one: checked before any passphrase is asked."""
    if out.exists() and not out.is_dir():
        raise PrivacyError(
            f"{out} is a file, not a folder",
            code="FK-KEY-050",
            location=Location(str(out)),
            hint="give --out a folder (it is created if needed)",
        )


@contextlib.contextmanager
def all_or_none(out: Path) -> Iterator[_Writer]:
    """Key files written in the block (0600, in 0700 folders made as needed) stay only if
    all of them are written: a full disk or a read-only folder leaves none, and no folder
    the block made."""
    writer = _Writer(out)
    try:
        yield writer
    except OSError as error:
        writer.remove_all()
        raise _cannot_write(out, error) from None
    except BaseException:
        writer.remove_all()
        raise


class _Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.created: list[Path] = []
        self.folders: list[Path] = []

    def __call__(self, path: Path, data: bytes) -> None:
        """Create ``path`` (never replacing a file), 0600, write, and flush it to disk."""
        from fieldkit.store.files import private_folder, write_private

        missing = [f for f in (path.parent, *path.parent.parents) if not f.exists()]
        private_folder(path.parent)
        self.folders.extend(reversed(missing))
        write_private(path, data)
        self.created.append(path)

    def remove_all(self) -> None:
        for path in self.created:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never what was there before


def _cannot_write(out: Path, error: OSError) -> PrivacyError:
    return PrivacyError(
        f"cannot write in {out}: {error.strerror or error}",
        code="FK-KEY-051",
        location=Location(str(out)),
        hint="choose a folder you can write to (nothing was left half-written)",
    )
