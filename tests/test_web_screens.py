"""A page from the engine's prompts, and a submitted page back to answers (no browser)."""

from __future__ import annotations

from typing import Any

import pytest

from fieldkit.capture import Engine
from fieldkit.instrument.schema import ScreenMode
from fieldkit.web.desk import Live
from fieldkit.web.screens import build_screen, field_key, shape, submit_screen
from fieldkit.web.texts import RTL_LANGUAGES, UI_LANGUAGES, direction, words
from tests.capture_helpers import EXAMPLES, form_of, load_example, mirror, text_for

EXCEPTION = EXAMPLES / "street_exception.yaml"


class _Recorder:
    """Stands in for the store: keeps what would be saved, in order."""

    def __init__(self) -> None:
        self.steps: list[Any] = []
        self.interview_id = "test"

    def record(self, step: Any) -> None:
        self.steps.append(step)


def _at_site_sheet() -> Live:
    session = mirror("street")
    data = load_example(EXCEPTION)
    while (prompt := session.current()) is not None and prompt.name != "site_id":
        assert session.answer(text_for(prompt, session, data)).ok
    return Live(form_of("street"), session, _Recorder())  # type: ignore[arg-type]


def test_a_section_marked_screen_section_is_one_page() -> None:
    live = _at_site_sheet()
    assert live.form.section("site_slot").screen is ScreenMode.SECTION
    screen = build_screen(live.session, live.form)
    assert screen is not None and screen.grouped
    names = [f.prompt.name for f in screen.fields]
    assert names == list(live.form.section("site_slot").items)
    assert screen.fields[3].prompt.choices == ()  # district: no region yet, nothing offered


def test_ahead_shows_what_comes_without_moving() -> None:
    live = _at_site_sheet()
    session = live.session
    before = session.current()
    ahead = [p.name for _, p in zip(range(3), session.ahead(), strict=False)]
    assert ahead == ["site_type", "region", "district"]
    assert session.current() == before
    assert list(Engine(form_of("street")).start("en").ahead()) == []  # not during consent


def test_a_page_stops_where_an_answer_changed_what_follows() -> None:
    live = _at_site_sheet()
    screen = build_screen(live.session, live.form)
    assert screen is not None
    keys = list(screen.keys)
    read = {
        "site_id@0": ["14"],
        "site_type@0": ["transport_hub"],
        "region@0": ["centre"],
        "visit_date@0": ["2026-11-18"],
    }
    shapes = {f.key: f.shape for f in screen.fields}
    outcome = submit_screen(live, keys, read, {}, shapes)
    assert not outcome.complete and outcome.error is None
    current = live.session.current()
    assert current is not None and field_key(current) == "district@0"
    assert shape(current) != shapes["district@0"]  # the region now offers its districts
    assert outcome.typed["visit_date@0"] == "2026-11-18"  # kept for the page shown again
    again = build_screen(live.session, live.form, typed=outcome.typed)
    assert again is not None
    visit = next(f for f in again.fields if f.key == "visit_date@0")
    assert visit.value == ("2026-11-18",)


def test_a_refused_answer_stops_the_page_with_its_message() -> None:
    live = _at_site_sheet()
    screen = build_screen(live.session, live.form)
    assert screen is not None
    shapes = {f.key: f.shape for f in screen.fields}
    outcome = submit_screen(live, list(screen.keys), {"site_id@0": ["0"]}, {}, shapes)
    assert outcome.error is not None
    key, message = outcome.error
    assert key == "site_id@0"  # the interview went on in French, as consent chose
    assert message == "Le numéro de site doit être compris entre 1 et 999"
    assert outcome.typed["site_id@0"] == "0"
    shown = build_screen(live.session, live.form, typed=outcome.typed, error=outcome.error)
    assert shown is not None and shown.fields[0].error == message


def test_an_identifying_answer_is_never_shown_back() -> None:
    session = mirror("household")
    data = load_example(EXAMPLES / "household_complete.yaml")
    while (prompt := session.current()) is not None and prompt.name != "respondent_phone":
        assert session.answer(text_for(prompt, session, data)).ok
    assert session.back().ok
    live = Live(form_of("household"), session, _Recorder())  # type: ignore[arg-type]
    screen = build_screen(session, live.form, typed={"respondent_name@0": "Kwasi"})
    assert screen is not None
    field = screen.fields[0]
    assert field.prompt.name == "respondent_name"
    assert field.hidden and field.value == ()


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_page_word_is_in_every_language(language: str) -> None:
    assert words(language).keys() == words("en").keys()
    assert all(text.strip() for text in words(language).values())


def test_right_to_left_languages() -> None:
    assert direction("ar") == "rtl" and "ar" in RTL_LANGUAGES
    assert direction("fr") == "ltr"


SECTION = """\
sections:
  - name: site
    label: {en: Site, fr: Site}
    screen: section
    questions:
      - name: site_id
        type: integer
        label: {en: Site, fr: Site}
"""


def test_screen_is_a_section_key_of_layout_only(compile_yaml: Any) -> None:
    grouped = compile_yaml(SECTION)
    assert grouped.form is not None
    assert grouped.form.sections[0].screen is ScreenMode.SECTION
    plain = compile_yaml(SECTION.replace("    screen: section\n", ""))
    assert plain.form is not None and plain.form.sections[0].screen is ScreenMode.QUESTION
    assert grouped.form.hash == plain.form.hash  # layout only: the same form either way
    wrong = compile_yaml(SECTION.replace("screen: section", "screen: page"))
    assert wrong.form is None
    assert [i.code for i in wrong.report.errors] == ["FK-YAML-004"]


def test_an_answer_that_deletes_others_waits_for_a_yes() -> None:
    session = mirror("household")
    data = load_example(EXAMPLES / "household_complete.yaml")
    while (prompt := session.current()) is not None and not (
        prompt.name == "rel_to_head" and prompt.roster is not None and prompt.roster.index == 3
    ):
        assert session.answer(text_for(prompt, session, data)).ok
    assert session.goto("hh_size").ok
    live = Live(form_of("household"), session, _Recorder())  # type: ignore[arg-type]
    screen = build_screen(session, live.form)
    assert screen is not None and screen.keys == ("hh_size@0",)
    shapes = {f.key: f.shape for f in screen.fields}
    asked = submit_screen(live, ["hh_size@0"], {"hh_size@0": ["2"]}, {}, shapes)
    assert asked.confirm is not None and asked.confirm[0] == "hh_size@0"
    assert "3" in asked.confirm[1]  # the engine says which member would go
    assert session.members("members") == (1, 2, 3)  # nothing changed yet
    done = submit_screen(
        live, ["hh_size@0"], {"hh_size@0": ["2"]}, {}, shapes, confirmed="hh_size@0"
    )
    assert done.complete and session.members("members") == (1, 2)
