"""fieldkit serve: the interview form in this laptop's browser, served by the laptop itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fieldkit.cli.render import console

__all__ = ["register"]


def serve(
    db: Annotated[Path, typer.Option("--db", help="The laptop store (encrypted).")] = Path(
        "laptop.sqlite"
    ),
    study: Annotated[
        Path | None,
        typer.Option(help="The study folder (instruments/, protocols/, keys/); default: here."),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="Project public key (default: keys/project.pub of the study)."),
    ] = None,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8765,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address; do not open a browser.")
    ] = False,
) -> None:
    """Serve the interview form to this laptop's browser (127.0.0.1 only), until Ctrl-C.

    The laptop store is encrypted: the browser's first page asks for its passphrase (a new
    store's is chosen there, typed twice). A forgotten passphrase loses the store's unsent
    interviews, by design."""
    import webbrowser

    from fieldkit.privacy.keys import load_project_keys
    from fieldkit.project import study_root
    from fieldkit.web import Desk, load_study
    from fieldkit.web import serve as run

    root = study or study_root(Path.cwd() / db.name)
    project_keys = load_project_keys(key or _default_key(root))
    desk = Desk(load_study(root), db, project_keys)

    def ready(address: str) -> None:
        console.print(f"fieldkit form for this computer only: {address}", soft_wrap=True)
        console.print("[dim]Ctrl-C stops it; every answer is already saved.[/]")
        if not no_browser:
            webbrowser.open(address)

    run(desk, port, ready=ready)
    console.print("stopped: every answer given is saved")


def _default_key(root: Path) -> Path:
    from fieldkit.errors import PrivacyError

    path = root / "keys" / "project.pub"
    if not path.exists():
        raise PrivacyError(
            f"no project public key at {path}",
            code="FK-KEY-007",
            hint="ask the coordinator for project.pub (fieldkit keys init), or pass --key",
        )
    return path


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
