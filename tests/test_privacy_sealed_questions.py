"""Which answers are sealed at capture: every free text, whatever the author marked, except
the ISIC/ISCO codes asked as text, and those only while the instrument allows digits alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.privacy.sealed_questions import code_questions, free_text_questions
from fieldkit.project import load_project
from tests.conftest import REPO

DIGITS = "constraint: \"regex(., '^[0-9]{4}$')\""


def _household(study: Path) -> object:
    return load_project([study / "protocols", study / "instruments"]).form("household_cl")


def test_codes_stay_in_clear_and_every_other_text_is_sealed() -> None:
    project = load_project([REPO / "protocols", REPO / "instruments"])
    household = project.form("household_cl")
    assert code_questions(household) == {"occupation_code", "industry_code"}
    assert free_text_questions(household) == {"occupation", "industry", "enumerator_notes"}
    establishment = project.form("establishment_cl")
    assert code_questions(establishment) == {"isic_code", "cw_occupation_code"}
    assert free_text_questions(establishment) == {"activity_description", "cw_tasks"}
    for form in project.forms.values():  # identities go to the custodians, never here
        assert not free_text_questions(form) & set(form.pii_fields()), form.id


@pytest.mark.parametrize(
    "constraint",
    [
        "",  # no constraint: a name could be typed into the code's box
        "constraint: \"regex(., '^[0-9A-Za-z ]{4,40}$')\"",  # letters allowed
        'constraint: "string-length(.) = 4"',  # four letters would do
    ],
)
def test_a_code_question_that_could_hold_words_is_sealed(tmp_path: Path, constraint: str) -> None:
    study = tmp_path / "study"
    shutil.copytree(REPO / "protocols", study / "protocols")
    shutil.copytree(REPO / "instruments", study / "instruments")
    path = study / "instruments" / "household.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- name: occupation_code")
    at = text.index(DIGITS, start)
    path.write_text(text[:at] + constraint + text[at + len(DIGITS) :], encoding="utf-8")
    household = _household(study)
    assert code_questions(household) == {"industry_code"}
    assert "occupation_code" in free_text_questions(household)
