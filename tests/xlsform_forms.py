"""Real-world-style XLSForms, written as small tables, in the styles ODK's and KoboToolbox's
documentation show. `write_xlsform` turns a form into an .xlsx the way Excel would save it.

The same forms are committed as workbooks in tests/data/xlsforms/, to try by hand
(`fieldkit xlsform import tests/data/xlsforms/household.xlsx --protocol ... --out ...`);
`python -m tests.xlsform_forms` rewrites them, and a test keeps them equal to these tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

Table = list[list[Any]]


def write_xlsform(path: Path, sheets: dict[str, Table]) -> Path:
    """One worksheet per table; the first row is the header. Numbers stay numbers."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path


# -- 1. a household survey as ODK's docs write one: groups, a counted repeat, two languages,
#       metadata, constraints with messages, required with messages, a calculation -------------

HOUSEHOLD: dict[str, Table] = {
    "survey": [
        [
            "type",
            "name",
            "label::English (en)",
            "label::French (fr)",
            "hint::English (en)",
            "hint::French (fr)",
            "required",
            "required_message::English (en)",
            "relevant",
            "constraint",
            "constraint_message::English (en)",
            "constraint_message::French (fr)",
            "calculation",
            "appearance",
            "default",
        ],
        ["start", "start"],
        ["end", "end"],
        ["today", "today"],
        ["deviceid", "deviceid"],
        ["username", "username"],
        [
            "begin_group",
            "location",
            "Location",
            "Localisation",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "field-list",
        ],
        [
            "integer",
            "cluster",
            "Cluster number",
            "Numéro de grappe",
            "From the sample list",
            "Selon la liste",
            "yes",
            "The cluster is needed",
            "",
            ". >= 1 and . <= 500",
            "Between 1 and 500",
            "Entre 1 et 500",
        ],
        [
            "geopoint",
            "gps",
            "Household location",
            "Position du ménage",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "placement-map",
        ],
        [
            "date",
            "visit_date",
            "Date of the visit",
            "Date de la visite",
            "",
            "",
            "yes",
            "",
            "",
            ". <= ${today}",
            "Not in the future",
            "Pas dans le futur",
        ],
        ["time", "visit_time", "Time of the visit", "Heure de la visite"],
        ["end_group", "location"],
        ["begin_group", "household", "Household", "Ménage"],
        ["text", "head_name", "Name of the household head", "Nom du chef de ménage"],
        [
            "text",
            "phone",
            "Phone number",
            "Numéro de téléphone",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "numbers",
        ],
        [
            "integer",
            "hh_size",
            "How many people live here?",
            "Combien de personnes vivent ici ?",
            "",
            "",
            "yes",
            "",
            "",
            ". > 0 and . < 30",
            "1 to 29",
            "1 à 29",
        ],
        [
            "decimal",
            "income",
            "Monthly income",
            "Revenu mensuel",
            "",
            "",
            "",
            "",
            "",
            ". >= 0",
            "Not negative",
            "Pas négatif",
            "",
            "",
            "0",
        ],
        [
            "dateTime",
            "last_meal",
            "When did the household last eat?",
            "Quand le ménage a-t-il mangé pour la dernière fois ?",
        ],
        ["end_group", "household"],
        [
            "begin_repeat",
            "member",
            "Household member",
            "Membre du ménage",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["text", "member_name", "Name", "Nom"],
        ["select_one sex", "sex", "Sex", "Sexe", "", "", "yes"],
        [
            "integer",
            "age",
            "Age in years",
            "Âge en années",
            "",
            "",
            "yes",
            "",
            "",
            ". >= 0 and . <= 110",
            "0 to 110",
            "0 à 110",
        ],
        [
            "select_one yes_no",
            "works",
            "Did ${member_name} work last week?",
            "${member_name} a-t-il travaillé ?",
            "",
            "",
            "",
            "",
            "${age} >= 5",
        ],
        ["calculate", "is_child", "", "", "", "", "", "", "", "", "", "", "${age} < 18"],
        ["calculate", "member_no", "", "", "", "", "", "", "", "", "", "", "position(..)"],
        ["end_repeat", "member"],
        ["calculate", "members", "", "", "", "", "", "", "", "", "", "", "count(${member})"],
        ["note", "thanks", "Thank you", "Merci"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::French (fr)"],
        ["sex", 1, "Male", "Masculin"],
        ["sex", 2, "Female", "Féminin"],
        ["yes_no", 1, "Yes", "Oui"],
        ["yes_no", 2, "No", "Non"],
    ],
    "settings": [
        ["form_title", "form_id", "version", "default_language", "instance_name"],
        [
            "Household survey",
            "household_survey",
            2024061201,
            "English (en)",
            "concat(${cluster}, '-', ${head_name})",
        ],
    ],
}
HOUSEHOLD_REPORT = [
    ("FK-XLS-018", "settings!E2"),
    ("FK-XLS-013", "survey!N9"),
    ("FK-XLS-012", "survey!O17"),
    ("FK-XLS-013", "survey!N15"),
    ("FK-XLS-012", "survey!H8"),
]


# -- 2. cascading selects, as the XLSForm docs show them: country → state → city -------------

CASCADE: dict[str, Table] = {
    "survey": [
        ["type", "name", "label", "choice_filter", "required"],
        ["select_one country", "country", "Country", "", "TRUE"],
        ["select_one state", "state", "State", "country=${country}", "TRUE"],
        ["select_one city", "city", "City", "state=${state} and country=${country}", "TRUE"],
        ["select_multiple crops", "crops", "Which crops do you grow?", "", ""],
        ["integer", "plots", "How many plots?", "", ""],
    ],
    "choices": [
        ["list_name", "name", "label", "country", "state"],
        ["country", "usa", "USA"],
        ["country", "canada", "Canada"],
        ["state", "texas", "Texas", "usa"],
        ["state", "washington", "Washington", "usa"],
        ["state", "ontario", "Ontario", "canada"],
        ["city", "dumont", "Dumont", "usa", "texas"],
        ["city", "finney", "Finney", "usa", "texas"],
        ["city", "brewster", "Brewster", "usa", "washington"],
        ["city", "toronto", "Toronto", "canada", "ontario"],
        ["crops", "maize", "Maize"],
        ["crops", "cassava", "Cassava"],
        ["crops", "cocoa", "Cocoa"],
    ],
    "settings": [["form_title", "form_id"], ["Cascading selects", "cascade"]],
}


# -- 3. nested repeats, as KoboToolbox's docs show (household → member → child) ----------------

NESTED: dict[str, Table] = {
    "survey": [
        ["type", "name", "label", "repeat_count", "relevant", "calculation"],
        ["integer", "hh_size", "Household size"],
        ["begin repeat", "member", "Member", "${hh_size}"],
        ["text", "first_name", "First name"],
        ["integer", "children", "How many children does ${first_name} have?"],
        ["begin repeat", "child", "Child", "${children}"],
        ["integer", "child_age", "Child's age"],
        ["end repeat", "child"],
        ["calculate", "oldest", "", "", "", "max(${child_age})"],
        ["end repeat", "member"],
        ["note", "done", "Done", "", "${hh_size} > 0"],
    ],
    "choices": [["list_name", "name", "label"]],
    "settings": [["form_title", "form_id"], ["Nested repeats", "nested"]],
}
NESTED_REPORT = [
    ("FK-XLS-016", "survey!A6"),
    ("FK-XLS-017", "survey!F9"),
]


# -- 4. a form full of what fieldkit cannot carry over -----------------------------------------

UNSUPPORTED: dict[str, Table] = {
    "survey": [
        [
            "type",
            "name",
            "label",
            "relevant",
            "calculation",
            "appearance",
            "default",
            "parameters",
            "bind::oc:itemgroup",
            "colour",
        ],
        ["select_one yes_no or_other", "trained", "Were you trained?"],
        ["select_one_from_file villages.csv", "village", "Village"],
        ["image", "photo", "Photo of the site"],
        ["range", "score", "Score", "", "", "", "", "start=0;end=10;step=1"],
        ["text", "nick", "Nickname", "", "", "", "", "", "grp1", "red"],
        ["calculate", "stamp", "", "", "once(format-date(today(), '%Y'))"],
        ["calculate", "choice_label", "", "", "jr:choice-name(${trained}, '${trained}')"],
        ["calculate", "district_name", "", "", "pulldata('districts', 'name', 'id', ${nick})"],
        ["integer", "age", "Age", "/data/trained = 'yes'", "", "signature"],
        ["note", "uses_stamp", "Stamp noted", "${stamp} != ''"],
        ["text", "phone_number", "Phone"],
        ["end group"],
    ],
    "choices": [
        ["list_name", "name", "label", "image"],
        ["yes_no", "yes", "Yes", "yes.png"],
        ["yes_no", "no", "No"],
    ],
    "settings": [["form_title", "form_id", "style"], ["Unsupported", "unsupported", "pages"]],
    "external_choices": [["list_name", "name", "label"], ["villages", "v1", "Village 1"]],
}
UNSUPPORTED_REPORT = [
    ("FK-XLS-019", "external_choices!A1"),
    ("FK-XLS-018", "settings!C2"),
    ("FK-XLS-011", "survey!A2"),
    ("FK-XLS-010", "survey!A3"),
    ("FK-XLS-010", "survey!A4"),
    ("FK-XLS-010", "survey!A5"),
    ("FK-XLS-007", "survey!A13"),
    ("FK-XLS-012", "survey!J1"),
    ("FK-XLS-012", "choices!D2"),
    ("FK-XLS-014", "survey!E7"),  # once()
    ("FK-XLS-014", "survey!E7"),  # format-date()
    ("FK-XLS-014", "survey!E8"),
    ("FK-XLS-014", "survey!E9"),
    ("FK-XLS-012", "survey!I6"),
    ("FK-XLS-015", "survey!D10"),
    ("FK-XLS-013", "survey!F10"),
    ("FK-XLS-017", "survey!D11"),
]


# -- 5. a KoboToolbox download: bookkeeping columns, a plain label column, aliases -----------

KOBO: dict[str, Table] = {
    "survey": [
        [
            "type",
            "name",
            "label",
            "label::Français (fr)",
            "required",
            "relevant",
            "$kuid",
            "$autoname",
        ],
        ["begin_group", "Respondent", "Respondent", "Répondant", "", "", "a1b2", "Respondent"],
        [
            "select one Gender",
            "Gender",
            "Sex of the respondent",
            "Sexe du répondant",
            "true",
            "",
            "c3d4",
            "Gender",
        ],
        ["integer", "Age-Years", "Age", "Âge", "TRUE", "", "e5f6", "Age-Years"],
        ["date", "DOB", "Date of birth", "Date de naissance", "", "${Age-Years} < 18", "a7", ""],
        ["text", "Full.Name", "Full name", "", "", "", "a8", ""],
        ["end_group", "", "", "", "", "", "a9", ""],
    ],
    "choices": [
        ["list_name", "name", "label", "label::Français (fr)", "$kuid", "$autovalue"],
        ["Gender", "male", "Male", "Homme", "k1", "male"],
        ["Gender", "female", "Female", "Femme", "k2", "female"],
    ],
    "settings": [["form_title", "form_id", "default_language"], ["Kobo form", "aXyZ123", "en"]],
}


# -- 6. logic fieldkit's compiler rejects: a reference forward, a wrong type -------------------

FORWARD: dict[str, Table] = {
    "survey": [
        ["type", "name", "label", "relevant", "constraint"],
        ["integer", "a", "A", "${b} > 1"],
        ["integer", "b", "B"],
        ["text", "c", "C", "", ". > 'x' + 1"],
    ],
    "settings": [["form_title", "form_id"], ["Forward", "forward"]],
}


FORMS: dict[str, dict[str, Table]] = {
    "household": HOUSEHOLD,
    "cascade": CASCADE,
    "nested": NESTED,
    "unsupported": UNSUPPORTED,
    "kobo": KOBO,
    "forward": FORWARD,
}
COMMITTED = Path(__file__).resolve().parent / "data" / "xlsforms"


if __name__ == "__main__":
    COMMITTED.mkdir(parents=True, exist_ok=True)
    for name, sheets in FORMS.items():
        write_xlsform(COMMITTED / f"{name}.xlsx", sheets)
