"""The codebook tells a reader what each variable is and who was asked (issue 10, #14).

Calculated variables are typed by their calculation (not all "text") and labelled by what
they read (not by their own name); the universe is written with question and choice labels in
the codebook's language, section and roster conditions included (not ``${age_r} < 18``).
"""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.dataset.columns import question_columns
from fieldkit.dataset.table import VarType
from fieldkit.demo.journey import DemoResult
from fieldkit.export import CODEBOOK_HEADER, codebook_rows
from fieldkit.instrument.compiler import CompileResult

COLUMN = {name: i for i, name in enumerate(CODEBOOK_HEADER)}


def _codebook(
    demo: DemoResult, form_id: str, language: str
) -> dict[tuple[str, str], tuple[str, ...]]:
    rows = codebook_rows(demo.datasets[form_id], language)
    return {(row[COLUMN["table"]], row[COLUMN["variable"]]): row for row in rows}


def test_calculated_variables_have_their_real_type_and_a_label(demo: DemoResult) -> None:
    book = _codebook(demo, "household_cl", "en")
    members = "household_cl__members"
    age_r = book[members, "age_r"]
    assert age_r[COLUMN["type"]] == "integer"  # coalesce(age, if(band..., 2, 8, ...))
    assert age_r[COLUMN["label"]] == "Calculated from age, age_band_est"
    assert age_r[COLUMN["definition"]].startswith("calculated in the form: coalesce(${age}")
    assert book[members, "line_no"][COLUMN["label"]] == "Calculated: position()"
    for name in ("is_child", "age_from_dob", "n_children_5_17"):
        table = "household_cl" if name == "n_children_5_17" else members
        assert book[table, name][COLUMN["type"]] == "integer", name
    establishment = _codebook(demo, "establishment_cl", "fr")
    n_u18 = establishment["establishment_cl", "n_u18"]
    assert n_u18[COLUMN["type"]] == "integer"
    assert n_u18[COLUMN["label"]].startswith("Calculé à partir de n_boys_12_14, n_boys_15_17")
    assert not [row for row in book.values() if row[COLUMN["label"]] == row[COLUMN["variable"]]]


def test_the_universe_is_readable_in_the_codebook_language(demo: DemoResult) -> None:
    english = _codebook(demo, "household_cl", "en")
    french = _codebook(demo, "household_cl", "fr")
    members = "household_cl__members"
    assert english[members, "birth_country"][COLUMN["universe"]] == (
        '"Where was (first_name) born?" = "Abroad"'
    )
    assert french[members, "birth_country"][COLUMN["universe"]] == (
        '"Où (first_name) est-il/elle né(e) ?" = "À l\'étranger"'
    )
    assert english[members, "age_band_est"][COLUMN["universe"]] == (
        '"How old is (first_name) in completed years?" is "don\'t know"'
    )
    for row in english.values():
        assert "${" not in row[COLUMN["universe"]] + row[COLUMN["label"]], row


def test_a_section_s_condition_is_part_of_its_questions_universe(demo: DemoResult) -> None:
    """The establishment's child-worker questions are asked only where children work, and of
    a child who assented: both conditions are the universe, not only the question's own."""
    book = _codebook(demo, "establishment_cl", "en")
    roster = "establishment_cl__child_workers_roster"
    assert book[roster, "cw_hours_7d"][COLUMN["universe"]] == (
        'n_u18 > 0 and "Read the child assent statement. Does the child agree to talk with '
        'you?" = "Yes"'
    )


def test_calculations_of_every_type(compile_yaml: Callable[[str], CompileResult]) -> None:
    result = compile_yaml(
        """
        sections:
          - name: s
            label: {en: S, fr: S}
            questions:
              - {name: age, type: integer, label: {en: Age, fr: Âge}}
              - {name: half, type: calculate, calculation: "${age} div 2"}
              - {name: adult, type: calculate, calculation: "${age} >= 18"}
              - {name: tag, type: calculate, calculation: "concat('a', ${age})"}
              - {name: next_year, type: calculate, calculation: "${age} + 1"}
        """
    )
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    form = result.form
    types = {
        name: question_columns(form, form.questions[name], "en")[0].variable.type
        for name in ("half", "adult", "tag", "next_year")
    }
    assert types == {
        "half": VarType.DECIMAL,
        "adult": VarType.FLAG,
        "tag": VarType.TEXT,
        "next_year": VarType.INTEGER,
    }
    spec = question_columns(form, form.questions["adult"], "en")[0]
    assert spec.extract(True) == 1 and spec.extract(False) == 0
    assert spec.variable.value_labels[1] == {"en": "Yes", "fr": "Oui"}
