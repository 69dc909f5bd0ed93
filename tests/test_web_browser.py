"""The web form in a real headless Chromium, driven as an enumerator drives it.

Interviews through the pages (a household with its roster, a child who refuses assent, a
street-living child under a protocol exception, in French once consent chose it) land in
the laptop database exactly as scripted entry of the same answers files lands them.
A closed page and a killed server lose nothing that was acknowledged. Every request the pages
make goes to the laptop's own server. Screenshots of the main screens go to screenshots/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldkit.capture import Engine, Prompt, Session
from fieldkit.privacy.keys import load_project_keys
from fieldkit.store import LaptopStore, unlock_store
from fieldkit.web.screens import field_key
from tests.capture_helpers import (
    EXAMPLES,
    HOUSEHOLD,
    PASSPHRASE,
    PLANTED,
    database,
    form_of,
    load_example,
    make_study,
    mirror,
    run_collect,
    stored,
)
from tests.web_helpers import (
    FormDriver,
    Server,
    browser,
    canonical_laptop,
    chromium_or_skip,
    integrity,
    open_form,
    screenshot,
    start,
)

ASSENT_REFUSED = EXAMPLES / "street_assent_refused.yaml"
EXCEPTION = EXAMPLES / "street_exception.yaml"


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    chromium_or_skip()
    with browser() as found:
        yield found


def _at(prompt: Prompt, name: str, index: int = 0) -> bool:
    return prompt.name == name and (prompt.roster.index if prompt.roster else 0) == index


def _watch(page: Any) -> list[str]:
    """Every URL the page requests, to check none leaves the laptop's server."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _as_enumerator(example: Path, folder: Path, enumerator: str = "E07") -> Path:
    """The example with the web session's enumerator code (one code per unlock)."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    data["enumerator"] = enumerator
    copy = folder / example.name
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def _finish(page: Any) -> None:
    page.wait_for_selector("#finish")
    with page.expect_navigation():
        page.click("#finish")
    assert page.locator(".ended").count() == 1


def _scripted(study: Path, example: Path, folder: Path) -> Path:
    """The same answers entered from the file (``fieldkit collect --answers``)."""
    reference = folder / "reference.sqlite"
    instrument = example.stem.split("_")[0]
    answers = _as_enumerator(example, folder)
    result = run_collect(study, instrument, reference, "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    return reference


def test_a_household_with_its_roster_lands_as_scripted_entry_does(
    tmp_path: Path, context: Any
) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    with Server(study, db) as server:
        page = open_form(context, server)
        requests = _watch(page)
        page.reload()
        screenshot(page, "home")
        start(page, "household_cl")
        screenshot(page, "consent")
        driver = FormDriver(page, mirror("household"), load_example(HOUSEHOLD))
        driver.run(until=lambda p: _at(p, "sex", 2))
        screenshot(page, "roster")
        driver.run()
        screenshot(page, "review")
        assert "•••" in page.content()
        assert not [text for text in PLANTED if text in page.content()]
        _finish(page)
        page.goto(server.base + "/today")
        screenshot(page, "today")
        assert page.locator("table.list tbody tr").count() == 1
        assert all(url.startswith(server.base + "/") for url in requests), requests
    assert canonical_laptop(db) == canonical_laptop(_scripted(study, HOUSEHOLD, tmp_path))


def test_a_childs_refused_assent_lands_as_scripted_entry_does(tmp_path: Path, context: Any) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    with Server(study, db) as server:
        page = open_form(context, server)
        start(page, "street_cl")
        FormDriver(page, mirror("street"), load_example(ASSENT_REFUSED)).run()
        assert page.locator(".ended").count() == 1
    assert canonical_laptop(db) == canonical_laptop(_scripted(study, ASSENT_REFUSED, tmp_path))


def test_a_protocol_exception_in_french_lands_as_scripted_entry_does(
    tmp_path: Path, context: Any
) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    with Server(study, db) as server:
        page = open_form(context, server)
        requests = _watch(page)
        start(page, "street_cl")
        driver = FormDriver(page, mirror("street"), load_example(EXCEPTION))
        driver.run(until=lambda p: p.name == "sex")
        screenshot(page, "french")  # consent chose French: the interview goes on in it
        assert page.locator("html").get_attribute("lang") == "fr"
        driver.run()
        _finish(page)
        assert all(url.startswith(server.base + "/") for url in requests), requests
    assert canonical_laptop(db) == canonical_laptop(_scripted(study, EXCEPTION, tmp_path))


def test_a_closed_page_resumes_with_every_answer_in_place(tmp_path: Path, context: Any) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    with Server(study, db) as server:
        page = open_form(context, server)
        start(page, "household_cl")
        session = mirror("household")
        driver = FormDriver(page, session, load_example(HOUSEHOLD))
        driver.run(until=lambda p: p.name == "hh_weight")
        page.fill("[name='hh_weight@0']", "-4")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        error = page.locator("[data-field='hh_weight@0'] .error")
        assert error.inner_text().strip(), "the constraint's message is shown beside the field"
        assert error.get_attribute("role") == "alert"
        assert page.locator("[name='hh_weight@0']").get_attribute("aria-invalid") == "true"
        screenshot(page, "constraint-error")
        session.answer("-4")  # the mirror hears the refused answer too
        driver.run(until=lambda p: _at(p, "ever_attended", 1))
        page.close()

        page = open_form(context, server)
        draft = page.locator("table.list tbody tr")
        assert draft.count() == 1
        assert "cluster 12, hh_number 7" in draft.inner_text()
        screenshot(page, "drafts")
        with page.expect_navigation():
            draft.locator("button").click()
        # Resumed from the store, as after any restart: names typed before are not known
        # any more ("member 1"), every answer is.
        resumed = _resumed(study, db, draft_id(db))
        assert resumed.answers() == session.answers()
        prompt = resumed.current()
        assert prompt is not None and FormDriver(page, resumed, {}).keys()[0] == field_key(prompt)
        page.goto(page.url + "/review")
        shown = page.locator("table.review td.value").all_inner_texts()
        assert shown == [row.value for row in resumed.summary()]
        page.go_back()
        FormDriver(page, resumed, load_example(HOUSEHOLD)).answer_page()  # and it goes on
        session = resumed

    live = _only(db)
    assert live.interview["status"] == "draft"
    assert {(q, m) for q, m, _, _ in live.all_answers} == set(session.answers())
    assert ("invalid", "hh_weight", 0) in live.paradata


def test_a_killed_server_leaves_the_store_intact(tmp_path: Path, context: Any) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    session = mirror("household")
    data = load_example(HOUSEHOLD)
    server = Server(study, db)
    try:
        page = open_form(context, server)
        start(page, "household_cl")
        FormDriver(page, session, data).run(until=lambda p: p.name == "hh_size")
        page.fill("[name='hh_size@0']", "3")  # typed, never sent: the only thing lost
    finally:
        server.kill()
    assert integrity(db) == "ok"
    held = _only(db)
    assert held.interview["status"] == "draft"
    given = {(k[0], k[1]) for k, change in session.answers().items()}
    assert {(q, m) for q, m, _, _ in held.all_answers} == given

    with Server(study, db) as server:
        page = open_form(context, server)
        with page.expect_navigation():
            page.locator("table.list tbody tr button").click()
        # The server resumes from the store, so the mirror does too: an optional question
        # skipped just before the cut (not stored) is asked again, as in the terminal.
        resumed = _resumed(study, db, held.interview["id"])
        assert resumed.answers() == session.answers()
        driver = FormDriver(page, resumed, data)
        driver.run(until=lambda p: _at(p, "sex", 2))  # and on into the roster
    done = _only(db)
    assert done.interview["status"] == "draft"
    assert {(q, m) for q, m, _, _ in done.all_answers} == set(resumed.answers())


def test_a_page_from_another_origin_changes_nothing(tmp_path: Path, context: Any) -> None:
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    with Server(study, db) as server, _Attacker(server.base) as evil:
        page = open_form(context, server)  # the browser holds the laptop's cookie
        before = canonical_laptop(db)
        page.goto(evil + "/form")  # a form that posts itself to the laptop's server
        page.wait_for_load_state("networkidle")
        assert page.url == server.base + "/interviews"
        assert "refused" in page.content()
        page.goto(evil + "/fetch")  # a script that posts with the browser's cookie
        page.wait_for_load_state("networkidle")
        page.goto(server.base + "/")
        assert page.locator("table.list tbody tr").count() == 0
        assert canonical_laptop(db) == before


class _Attack(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        form = (
            f'<form id="f" method="post" action="{self.target}/interviews">'
            '<input name="instrument" value="household_cl"><input name="language" value="en">'
            '<input name="csrf" value="guessed"></form>'
            '<script>document.getElementById("f").submit()</script>'
        )
        fetch = (
            f'<script>fetch("{self.target}/interviews", {{method: "POST", mode: "no-cors",'
            ' credentials: "include", body: new URLSearchParams({instrument: "household_cl"})})'
            "</script>"
        )
        body = (form if self.path == "/form" else fetch).encode()
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


class _Attacker:
    """A page on another local origin that tries to make the laptop's form act."""

    def __init__(self, target: str) -> None:
        handler = type("Attack", (_Attack,), {"target": target})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _resumed(study: Path, db: Path, interview_id: str) -> Session:
    keys = load_project_keys(study / "keys" / "project.pub")
    with LaptopStore.open(db, project_keys=keys, key=unlock_store(db, PASSPHRASE)) as store:
        held = store.load(interview_id)
    return Engine(form_of("household")).resume(held.answers, held.members, held.consent)


def draft_id(db: Path) -> str:
    with database(db) as conn:
        (interview_id,) = conn.execute("SELECT id FROM interviews").fetchone()
    return str(interview_id)


def _only(db: Path) -> Any:
    with database(db) as conn:
        (interview_id,) = conn.execute("SELECT id FROM interviews").fetchone()
    return stored(db, interview_id)


def test_the_street_survey_in_arabic_is_laid_out_right_to_left(
    tmp_path: Path, context: Any
) -> None:
    study = make_study(tmp_path)
    with Server(study, tmp_path / "laptop.sqlite") as server:
        page = open_form(context, server, ui="ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        start(page, "street_cl", "ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("lang") == "ar"
        label = page.locator(".label").first
        assert label.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert "الباحث" in label.inner_text()  # the protocol's screening, in Arabic
        screenshot(page, "rtl-consent")
        data = load_example(EXCEPTION)
        data["consent"]["language"] = "ar"
        session = mirror("street", "ar")
        driver = FormDriver(page, session, data)
        driver.run(until=lambda p: p.name == "site_id")
        # The site sheet is one screen (screen: section): every question of the section.
        keys = driver.keys()
        assert keys[:4] == ["site_id@0", "site_type@0", "region@0", "district@0"]
        assert page.locator("[name='district@0']").count() == 0  # no region yet: no district
        screenshot(page, "rtl-section")
        driver.answer_page()  # the region filters the districts: the page comes back for them
        assert driver.keys()[0] == "district@0"
        assert page.locator("[name='district@0']").count() == 2
        driver.run(until=lambda p: p.name == "sex")
        assert page.locator("html").get_attribute("dir") == "rtl"


OPEN_ROSTER = """\
id: visits_cl
title: {en: People met, fr: Personnes rencontrées}
kind: rapid_assessment
protocol: rapid_assessment
languages: [en, fr]
respondents: [adult]
sections:
  - name: people
    label: {en: People met, fr: Personnes rencontrées}
    questions:
      - name: people
        type: repeat
        label: {en: People met, fr: Personnes rencontrées}
        questions:
          - name: role
            type: text
            label: {en: "Role of the person", fr: "Rôle de la personne"}
"""


def test_an_open_roster_adds_and_removes_members_with_confirmation(
    tmp_path: Path, context: Any
) -> None:
    study = make_study(tmp_path)
    (study / "instruments" / "visits.yaml").write_text(OPEN_ROSTER, encoding="utf-8")
    db = tmp_path / "laptop.sqlite"
    data = {
        "screening": {"safe_for_team": 1, "controller_present": 2, "reprisal_risk": 2},
        "consent": {"adult": 1, "others_present": ["nobody"], "language": "en"},
        "answers": {"people": [{"role": "teacher"}, {"role": "nurse"}, {"role": "driver"}]},
    }
    with Server(study, db) as server:
        page = open_form(context, server)
        start(page, "visits_cl")
        session = Engine(form_of_study(study, "visits")).start("en")
        driver = FormDriver(page, session, data)
        driver.run(until=lambda p: p.name == "people" and len(session.members("people")) == 3)
        members = page.locator("section.roster li")
        assert members.count() == 3
        with page.expect_navigation():
            members.nth(1).locator("a.remove").click()
        assert "2" in page.locator("#confirm-question").inner_text()
        screenshot(page, "roster-remove")
        with page.expect_navigation():
            page.click("#confirm")
        assert session.remove_member("people", 2, confirm=True).ok
        assert page.locator("section.roster li").count() == 2
        page.keyboard.press("Tab")  # the keyboard's focus is always visible
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        data["answers"] = {"people": [{"role": "teacher"}, {"role": "driver"}]}
        FormDriver(page, session, data).run()
        _finish(page)
    with database(db) as conn:
        kept = conn.execute("SELECT roster, member FROM roster_members ORDER BY member").fetchall()
        # a role is free text: sealed (to the merge key), and the removed member's went too
        roles = conn.execute("SELECT question, member FROM identities ORDER BY member").fetchall()
        plain = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    assert [tuple(row) for row in kept] == [("people", 1), ("people", 3)]
    assert [tuple(row) for row in roles] == [("role", 1), ("role", 3)] and plain == 0


def form_of_study(study: Path, name: str) -> Any:
    from fieldkit.project import resolve_form

    return resolve_form(study / "instruments" / f"{name}.yaml")
