"""Only the local user can use the web form: loopback host, the start's secret, then the
cookie; a CSRF token and this origin on every POST; strict headers on every response.
Driven in-process (Starlette's TestClient): fast, and every refusal checked against the
laptop database, which must not change."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from fieldkit.privacy.keys import load_project_keys
from fieldkit.store.cipher import unlock_path
from fieldkit.web import Desk, Keys, create_app, load_study
from fieldkit.web.guard import CSP
from fieldkit.web.pages import STATIC, TEMPLATES
from fieldkit.web.routes_home import home_routes
from fieldkit.web.routes_interview import interview_routes
from tests.capture_helpers import PASSPHRASE, make_study
from tests.web_helpers import canonical_laptop

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def served(tmp_path: Path) -> tuple[TestClient, Keys, Desk, Path]:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    desk = Desk(load_study(study), db, load_project_keys(study / "keys" / "project.pub"))
    keys = Keys.fresh(PORT)
    client = TestClient(create_app(desk, keys), base_url=BASE, follow_redirects=False)
    return client, keys, desk, db


def _enter(client: TestClient, keys: Keys) -> None:
    response = client.get(f"/?token={keys.address}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "SameSite=Strict" in response.headers["set-cookie"]


def _unlocked(client: TestClient, keys: Keys) -> None:
    if "fieldkit" not in client.cookies:
        _enter(client, keys)
    secret = {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}  # a new store's, twice
    data = {"csrf": keys.csrf, "enumerator": "E07", "ui": "en", **secret}
    response = client.post("/unlock", data=data)
    assert response.status_code == 303


def test_without_the_secret_nothing_is_served(served: tuple[TestClient, Keys, Desk, Path]) -> None:
    client, keys, desk, _ = served
    for path in ("/", "/today", "/static/fieldkit.css", f"/?token={keys.address[:-1]}x"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert keys.csrf not in response.text
    assert client.post("/unlock", data={"csrf": keys.csrf, "enumerator": "E07"}).status_code == 403
    assert desk.locked


def test_only_the_loopback_host_is_answered(served: tuple[TestClient, Keys, Desk, Path]) -> None:
    client, keys, _, _ = served
    _enter(client, keys)
    assert client.get("/", headers={"host": f"evil.example:{PORT}"}).status_code == 421
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


def test_the_secret_is_traded_for_a_cookie(served: tuple[TestClient, Keys, Desk, Path]) -> None:
    client, keys, _, _ = served
    _enter(client, keys)
    page = client.get("/")
    assert page.status_code == 200
    assert keys.address not in page.text  # the secret leaves the address and the page
    assert f'name="csrf" value="{keys.csrf}"' in page.text


def test_every_response_carries_the_strict_headers(
    served: tuple[TestClient, Keys, Desk, Path],
) -> None:
    client, keys, _, _ = served
    refused = client.get("/")
    _enter(client, keys)
    for response in (refused, client.get("/"), client.get("/static/fieldkit.js")):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP


def test_a_post_without_the_token_or_from_elsewhere_changes_nothing(
    served: tuple[TestClient, Keys, Desk, Path],
) -> None:
    client, keys, desk, db = served
    _enter(client, keys)
    unlock = {"enumerator": "E07"}
    assert client.post("/unlock", data=unlock).status_code == 403
    assert client.post("/unlock", data={**unlock, "csrf": "guessed"}).status_code == 403
    other = {"origin": "http://127.0.0.1:9999"}
    assert (
        client.post("/unlock", data={**unlock, "csrf": keys.csrf}, headers=other).status_code == 403
    )
    cross = {"sec-fetch-site": "cross-site"}
    assert (
        client.post("/unlock", data={**unlock, "csrf": keys.csrf}, headers=cross).status_code == 403
    )
    assert desk.locked

    _unlocked(client, keys)
    start = {"instrument": "household_cl", "language": "en"}
    before = canonical_laptop(db)
    assert client.post("/interviews", data=start).status_code == 403
    assert client.post("/interviews", data=start, headers={"origin": "null"}).status_code == 403
    assert canonical_laptop(db) == before
    created = client.post("/interviews", data={**start, "csrf": keys.csrf})
    assert created.status_code == 303
    interview = created.headers["location"]
    before = canonical_laptop(db)
    answer = {"screen": "screening.adult_available@0", "screening.adult_available@0": "1"}
    assert client.post(f"{interview}/answer", data=answer).status_code == 403
    assert client.post(f"{interview}/withdraw", data={}).status_code == 403
    assert canonical_laptop(db) == before
    asked = client.post(f"{interview}/withdraw", data={"csrf": keys.csrf})
    assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.text  # asked first
    assert canonical_laptop(db) == before
    confirmed = {"csrf": keys.csrf, "confirm": "1"}
    assert client.post(f"{interview}/withdraw", data=confirmed).status_code == 303


def test_every_post_route_checks_the_token(served: tuple[TestClient, Keys, Desk, Path]) -> None:
    client, keys, desk, _ = served
    _unlocked(client, keys)
    live = desk.start("household_cl", "en")
    web = type("W", (), {"desk": desk, "keys": keys})()
    routes = [r for r in (*home_routes(web), *interview_routes(web)) if isinstance(r, Route)]  # type: ignore[arg-type]
    posts = [r.path for r in routes if r.methods and "POST" in r.methods]
    assert len(posts) >= 6
    for path in posts:
        url = path.replace("{interview}", live.id).replace("{action:str}", "back")
        assert client.post(url, data={"roster": "members"}).status_code == 403, path


def test_no_page_holds_an_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template
        assert "style=" not in text and "<style" not in text, template
        assert "http://" not in text and "https://" not in text, template
    assert not re.search(r"https?://", (STATIC / "fieldkit.css").read_text(encoding="utf-8"))
    assert not re.search(r"https?://", (STATIC / "fieldkit.js").read_text(encoding="utf-8"))


def test_the_home_page_warns_outside_the_collection_windows(
    served: tuple[TestClient, Keys, Desk, Path],
) -> None:
    client, keys, desk, _ = served
    _unlocked(client, keys)
    page = client.get("/").text
    now = dt.datetime.now()
    for form in desk.forms.values():
        outside = form.protocol.collection_window(now) is None
        assert (f'id="window-{form.id}"' in page) is outside, form.id


def test_a_new_store_takes_its_passphrase_twice_and_a_wrong_one_opens_nothing(
    served: tuple[TestClient, Keys, Desk, Path],
) -> None:
    """The laptop store is encrypted at rest: the first unlock chooses its passphrase (typed
    twice: a typo would lose the store), later ones must give it (FK-KEY-001 otherwise)."""
    client, keys, desk, db = served
    _enter(client, keys)
    base = {"csrf": keys.csrf, "enumerator": "E07", "ui": "en", "passphrase": PASSPHRASE}
    assert 'name="passphrase_again"' in client.get("/").text
    differ = client.post("/unlock", data={**base, "passphrase_again": PASSPHRASE + "!"})
    assert differ.status_code == 422 and desk.locked
    assert not db.exists() and not unlock_path(db).exists()  # nothing set up
    assert client.post("/unlock", data={**base, "passphrase_again": PASSPHRASE}).status_code == 303
    assert not desk.locked and unlock_path(db).exists()
    desk.close()  # as after a restart: the store exists, locked
    assert 'name="passphrase_again"' not in client.get("/").text
    wrong = client.post("/unlock", data={**base, "passphrase": "not the laptop's passphrase"})
    assert wrong.status_code == 409 and "FK-KEY-001" in wrong.text and desk.locked
    assert client.post("/unlock", data=base).status_code == 303 and not desk.locked
