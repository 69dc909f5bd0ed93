"""A small hand-made household survey whose right answers are written out below.

Six households in three strata (two PSUs each), 30 children and 6 adults. Each child row
lists the answers given and, at the end, the indicators a statistician works out by hand:

    SDG  = ILO 18th ICLS, SNA boundary (5-11 employed; 12-14 >= 14 h or HAZ; 15-17 HAZ)
    MICS = UNICEF MICS6 headline (hours 1/14/43; chores 5-14 >= 21 h; no hazards; don't
           know below every threshold, don't-know chores 0, as the MICS6 syntax)
    MHAZ = MICS6 hazardous working conditions (reported separately)
    LEG  = MICS6 legacy (chores 28/43 h, hazards counted)
    GPB  = ILO general production boundary (SNA or chores 5-14 >= 21 h; unknown stays unknown)
    WS   = work/school: 1 school only, 2 work only, 3 both, 4 neither
    TIP  = act and exploitation (means not required for children); exploitation = a worst
           form, hazardous work (HAZ here counts: hh02/6 at 30 h with dust, hh06/7 at 50 h),
           or work begun under 12, or at 12-14 when not light work (hh06/5, begun at 13 with
           no hours known: unknown)

"DK" is a don't-know answer; "-" means not asked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fieldkit.dataset.table import Special
from fieldkit.indicators.labour_inputs import LabourInputs

DATA = Path(__file__).resolve().parent

INSTRUMENT = """\
id: mini_household
title: {en: Mini household survey, fr: Mini enquête ménage}
kind: household
protocol: test_protocol
languages: [en, fr]
respondents: [adult, child]
unit_key: [cluster, hh_number]
sample_design: {stratum: stratum, psu: cluster, weight: hh_weight}
choices:
  yes_no:
    - {value: 1, label: {en: "Yes", fr: "Oui"}}
    - {value: 2, label: {en: "No", fr: "Non"}}
  sex:
    - {value: 1, label: {en: Male, fr: Masculin}}
    - {value: 2, label: {en: Female, fr: Féminin}}
  district:
    - {value: north, label: {en: North, fr: Nord}}
    - {value: south, label: {en: South, fr: Sud}}
  econ:
    - {value: wage, label: {en: Wage work, fr: Salarié}}
    - {value: farm, label: {en: Farm, fr: Ferme}}
    - {value: none, label: {en: None of these, fr: Aucune}}
  exposure:
    - {value: dust, label: {en: Dust, fr: Poussière}}
    - {value: chemicals, label: {en: Chemicals, fr: Produits chimiques}}
    - {value: none, label: {en: None of these, fr: Aucune}}
  movement:
    - {value: none, label: {en: No movement, fr: Aucun}}
    - {value: internal, label: {en: Internal, fr: Interne}}
    - {value: cross_border, label: {en: Cross-border, fr: Transfrontalier}}
  country:
    - {value: bj, label: {en: Benin, fr: Bénin}}
    - {value: ng, label: {en: Nigeria, fr: Nigéria}}
  exploitation:
    - {value: forced_labour, label: {en: Forced labour, fr: Travail forcé}}
    - {value: child_labour, label: {en: Child labour, fr: Travail des enfants}}
    - {value: other, label: {en: Other, fr: Autre}}
  sector:
    - {value: agriculture, label: {en: Agriculture, fr: Agriculture}}
    - {value: mining_or_drilling, label: {en: Mining, fr: Mines}}
  control:
    - {value: debt_bondage, label: {en: Debt, fr: Dette}}
    - {value: threats, label: {en: Threats, fr: Menaces}}
    - {value: withholds_documents, label: {en: Documents taken, fr: Papiers pris}}
    - {value: none, label: {en: None of these, fr: Aucun}}
  docs:
    - {value: self, label: {en: The child, fr: L'enfant}}
    - {value: employer, label: {en: Employer, fr: Employeur}}
sections:
  - name: identification
    label: {en: Identification, fr: Identification}
    questions:
      - {name: cluster, type: integer, label: {en: Cluster, fr: Grappe}, required: true}
      - {name: stratum, type: integer, label: {en: Stratum, fr: Strate}, required: true}
      - {name: hh_number, type: integer, label: {en: Household, fr: Ménage}, required: true}
      - {name: district, type: select_one, choices: district, disaggregation: district, label: {en: District, fr: District}}
      - {name: hh_weight, type: decimal, label: {en: Weight, fr: Poids}, required: true}
      - {name: respondent_name, type: text, pii: true, label: {en: Respondent name, fr: Nom du répondant}}
      - {name: hh_size, type: integer, label: {en: Household size, fr: Taille du ménage}, required: true}
  - name: roster
    label: {en: Members, fr: Membres}
    questions:
      - name: members
        type: repeat
        label: {en: Members, fr: Membres}
        count: ${hh_size}
        questions:
          - {name: first_name, type: text, pii: true, label: {en: First name, fr: Prénom}}
          - {name: sex, type: select_one, choices: sex, disaggregation: sex, label: {en: Sex, fr: Sexe}, required: true}
          - {name: age, type: integer, disaggregation: age, allow_dont_know: true, label: {en: Age, fr: Âge}, required: true}
          - {name: citizenship, type: select_one, choices: country, disaggregation: origin, label: {en: Citizenship, fr: Nationalité}}
          - {name: ever_attended, type: select_one, choices: yes_no, label: {en: Ever attended, fr: Déjà scolarisé}, relevant: "${age} >= 5"}
          - {name: attending_now, type: select_one, choices: yes_no, label: {en: Attending, fr: Scolarisé}, relevant: "${age} >= 5 and ${ever_attended} = 1"}
          - {name: econ_any_7d, type: select_multiple, choices: econ, label: {en: Activities, fr: Activités}, relevant: "${age} >= 5 and ${age} <= 17"}
          - {name: temp_absent_job, type: select_one, choices: yes_no, label: {en: Temporarily absent, fr: Absent}, relevant: "selected(${econ_any_7d}, 'none')"}
          - {name: hours_econ_7d, type: integer, allow_dont_know: true, label: {en: Hours worked, fr: Heures travaillées}, relevant: "${age} >= 5"}
          - {name: hazard_loads, type: select_one, choices: yes_no, label: {en: Heavy loads, fr: Charges lourdes}, relevant: "${age} >= 5"}
          - {name: hazard_tools, type: select_one, choices: yes_no, label: {en: Dangerous tools, fr: Outils dangereux}, relevant: "${age} >= 5"}
          - {name: hazard_exposures, type: select_multiple, choices: exposure, label: {en: Exposures, fr: Expositions}, relevant: "${age} >= 5"}
          - {name: night_work, type: select_one, choices: yes_no, label: {en: Night work, fr: Travail de nuit}, relevant: "${age} >= 5"}
          - {name: chores_any, type: select_one, choices: yes_no, label: {en: Chores, fr: Tâches}, relevant: "${age} >= 5"}
          - {name: hours_chores_7d, type: integer, allow_dont_know: true, label: {en: Chores hours, fr: Heures de tâches}, relevant: "${chores_any} = 1"}
          - {name: tip_recruited, type: select_one, choices: yes_no, allow_dont_know: true, allow_refused: true, label: {en: Recruited, fr: Recruté}, relevant: "${age} >= 5"}
          - {name: tip_age_at_start, type: integer, allow_dont_know: true, label: {en: Age at start, fr: Âge au début}, relevant: "${age} >= 5"}
          - {name: tip_movement, type: select_one, choices: movement, allow_dont_know: true, label: {en: Movement, fr: Déplacement}, relevant: "${age} >= 5"}
          - {name: tip_country, type: select_one, choices: country, label: {en: Country of work, fr: Pays de travail}, relevant: "${age} >= 5"}
          - {name: tip_exploitation, type: select_multiple, choices: exploitation, allow_dont_know: true, label: {en: Exploitation, fr: Exploitation}, relevant: "${age} >= 5"}
          - {name: tip_sector, type: select_multiple, choices: sector, label: {en: Sector, fr: Secteur}, relevant: "${age} >= 5"}
          - {name: tip_control, type: select_multiple, choices: control, allow_refused: true, label: {en: Means of control, fr: Moyens de contrôle}, relevant: "${age} >= 5"}
          - {name: tip_docs_holder, type: select_one, choices: docs, label: {en: Who kept papers, fr: Qui gardait les papiers}, relevant: "${age} >= 5"}
"""

# household: (interview id, stratum, cluster, number, district, weight, respondent name)
HOUSEHOLDS = [
    ("hh01", 1, 11, 1, "north", 120.0, "Amina Planted"),
    ("hh02", 1, 12, 1, "north", 80.0, "Kofi Planted"),
    ("hh03", 2, 21, 1, "south", 150.0, "Ada Planted"),
    ("hh04", 2, 22, 1, "south", 60.0, "Yao Planted"),
    ("hh05", 3, 31, 1, "north", 100.0, "Fatou Planted"),
    ("hh06", 3, 32, 1, "south", 90.0, "Idrissa Planted"),
]

DK = Special.DONT_KNOW
REF = Special.REFUSED
_ = None

# fmt: off
# Each child: household, line, sex, age, attending (ever=2 when 0), activities, temp absent,
# hours, loads, tools, exposures, night, chores hours (0: chores_any = no), TIP module
# (recruited, age at start, movement, exploitation, sector, control, docs holder), then the
# expected SDG, MICS, MHAZ, LEG, GPB, WS, TIP.
CHILDREN: list[tuple[Any, ...]] = [
    # hh01 (stratum 1, PSU 11)
    ("hh01", 2, 1, 6,  1, "farm",        _, 3,  2, 2, "none",      2, 5,   (2, _, _, _, _, _, _),                                1, 1, 0, 1, 1, 3, 0),
    ("hh01", 3, 2, 9,  1, "none",        2, _,  _, _, _,           _, 10,  (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh01", 4, 2, 13, 1, "farm",        _, 10, 2, 2, "none",      2, 25,  (2, _, _, _, _, _, _),                                0, 1, 0, 0, 1, 3, 0),
    ("hh01", 5, 1, 16, 0, "wage",        _, 45, 2, 2, "none",      2, 0,   (1, 14, "internal", "forced_labour", "agriculture", "debt_bondage threats", "employer"), 1, 1, 0, 1, 1, 2, 1),
    ("hh01", 6, 1, 4,  _, _,             _, _,  _, _, _,           _, _,   (_, _, _, _, _, _, _),                                _, _, _, _, _, _, _),
    # hh02 (stratum 1, PSU 12)
    ("hh02", 2, 2, 7,  1, "none",        1, 0,  2, 2, "none",      2, 22,  (2, _, _, _, _, _, _),                                1, 1, 0, 0, 1, 3, 0),
    ("hh02", 3, 1, 12, 1, "farm",        _, 15, 2, 2, "none",      2, 3,   (2, _, _, _, _, _, _),                                1, 1, 0, 1, 1, 3, 0),
    ("hh02", 4, 2, 14, 1, "farm",        _, DK, 1, 2, "none",      2, 2,   (2, _, _, _, _, _, _),                                1, 0, 1, 1, 1, 3, 0),
    ("hh02", 5, 1, 15, 1, "farm",        _, 20, 2, 2, "none",      2, 0,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 3, 0),
    ("hh02", 6, 2, 17, 0, "wage",        _, 30, 2, 2, "dust",      2, 0,   (1, 16, "cross_border", "other", "agriculture", "none", "self"), 1, 0, 1, 1, 1, 2, 1),
    # hh03 (stratum 2, PSU 21)
    ("hh03", 2, 1, 5,  1, "none",        2, _,  _, _, _,           _, 0,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh03", 3, 2, 8,  0, "farm",        _, 12, 2, 2, "none",      2, 30,  (1, 8, "internal", "child_labour", "agriculture", "threats", "self"), 1, 1, 0, 1, 1, 2, 1),
    ("hh03", 4, 1, 11, 1, "none",        2, _,  _, _, _,           _, 21,  (2, _, _, _, _, _, _),                                0, 1, 0, 0, 1, 1, 0),
    ("hh03", 5, 2, 13, 1, "none",        2, _,  _, _, _,           _, 28,  (2, _, _, _, _, _, _),                                0, 1, 0, 1, 1, 1, 0),
    ("hh03", 6, 1, 16, 1, "farm",        _, 10, 2, 1, "none",      2, 0,   (2, _, _, _, _, _, _),                                1, 0, 1, 1, 1, 3, 0),
    ("hh03", 7, 2, DK, _, _,             _, _,  _, _, _,           _, _,   (_, _, _, _, _, _, _),                                _, _, _, _, _, _, _),
    # hh04 (stratum 2, PSU 22)
    ("hh04", 2, 1, 10, 1, "none",        2, _,  _, _, _,           _, 5,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh04", 3, 2, 12, 1, "none",        2, _,  _, _, _,           _, 5,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh04", 4, 1, 14, 0, "wage",        _, 40, 2, 2, "chemicals", 1, 0,   (1, 13, "cross_border", DK, "mining_or_drilling", "withholds_documents", "employer"), 1, 1, 1, 1, 1, 2, 1),
    ("hh04", 5, 2, 15, 1, "none",        2, _,  _, _, _,           _, 45,  (2, _, _, _, _, _, _),                                0, 0, 0, 1, 0, 1, 0),
    ("hh04", 6, 1, 17, 1, "farm",        _, 8,  2, 2, "none",      1, 0,   (2, _, _, _, _, _, _),                                1, 0, 0, 0, 1, 3, 0),
    # hh05 (stratum 3, PSU 31)
    ("hh05", 2, 2, 6,  1, "none",        2, _,  _, _, _,           _, 0,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh05", 3, 1, 9,  1, "none",        2, _,  _, _, _,           _, 2,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    ("hh05", 4, 2, 12, 1, "farm",        _, 5,  2, 2, "none",      2, 10,  (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 3, 0),
    ("hh05", 5, 1, 14, 0, "farm",        _, 20, 2, 2, "none",      2, 0,   (REF, 12, "internal", "forced_labour", "agriculture", REF, "self"), 1, 1, 0, 1, 1, 2, _),
    ("hh05", 6, 2, 16, 1, "none",        2, _,  _, _, _,           _, 10,  (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 1, 0),
    # hh06 (stratum 3, PSU 32)
    ("hh06", 2, 1, 5,  0, "none",        2, _,  _, _, _,           _, 0,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 4, 0),
    ("hh06", 3, 2, 8,  1, "none",        2, _,  _, _, _,           _, DK,  (2, _, _, _, _, _, _),                                0, 0, 0, 0, _, 1, 0),
    ("hh06", 4, 1, 11, 1, "farm",        _, 2,  2, 2, "none",      2, 6,   (2, _, _, _, _, _, _),                                1, 1, 0, 1, 1, 3, 0),
    ("hh06", 5, 2, 13, 0, "none",        2, _,  _, _, _,           _, 35,  (1, 13, "cross_border", "other", "agriculture", "none", "self"), 0, 1, 0, 1, 1, 4, _),
    ("hh06", 6, 1, 15, 1, "none",        1, 0,  2, 2, "none",      2, 0,   (2, _, _, _, _, _, _),                                0, 0, 0, 0, 0, 3, 0),
    ("hh06", 7, 2, 17, 0, "wage",        _, 50, 2, 2, "none",      2, 0,   (1, 17, "none", "other", "agriculture", "none", "self"), 1, 1, 0, 1, 1, 2, 1),
]
# fmt: on
# Each household's line 1 is an adult (35-45), so rosters hold adults too.
ADULT_AGES = {"hh01": 40, "hh02": 35, "hh03": 45, "hh04": 38, "hh05": 42, "hh06": 36}
EXPECTED = (
    "cl_ilo_sna",
    "cl_unicef_mics6",
    "cl_unicef_mics6_haz",
    "cl_unicef_mics6_legacy",
    "cl_ilo_gpb",
)
PLANTED = [h[6] for h in HOUSEHOLDS] + ["Zainab Secret", "Moussa Secret"]


def expected(column: str) -> dict[tuple[str, int], Any]:
    """The written-out answer for one derived column, by (interview, member)."""
    position = {name: 14 + i for i, name in enumerate((*EXPECTED, "work_school", "tip_child"))}
    return {(c[0], c[1]): c[position[column]] for c in CHILDREN}


def _ans(rows: list[tuple[Any, ...]], iid: str, name: str, member: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Special):
        status = "dont_know" if value is Special.DONT_KNOW else "refused"
        rows.append((iid, name, member, "null", status))
        return
    if name in _MULTI:
        value = str(value).split()
    elif name in _CODED:
        value = str(value)
    rows.append((iid, name, member, json.dumps(value), "answered"))


_MULTI = {"econ_any_7d", "hazard_exposures", "tip_exploitation", "tip_sector", "tip_control"}
_CODED = {
    "sex", "district", "ever_attended", "attending_now", "temp_absent_job", "hazard_loads",
    "hazard_tools", "night_work", "chores_any", "tip_recruited", "tip_movement", "tip_country",
    "tip_docs_holder", "citizenship",
}  # fmt: skip


def _child_answers(rows: list[tuple[Any, ...]], child: tuple[Any, ...]) -> None:
    iid, line, sex, age, attending, econ, absent, hours = child[:8]
    loads, tools, exposures, night, chores, tip = child[8:14]
    add = lambda name, value: _ans(rows, iid, name, line, value)  # noqa: E731
    add("first_name", "Zainab Secret" if line == 2 else "Moussa Secret")
    add("sex", sex)
    add("age", age)
    add("citizenship", "bj")
    if attending is not None:
        add("ever_attended", 2 if attending == 0 and line % 2 else 1)
        if not (attending == 0 and line % 2):
            add("attending_now", 1 if attending else 2)
    for name, value in (("econ_any_7d", econ), ("temp_absent_job", absent)):
        add(name, value)
    for name, value in (("hours_econ_7d", hours), ("hazard_loads", loads)):
        add(name, value)
    for name, value in (("hazard_tools", tools), ("hazard_exposures", exposures)):
        add(name, value)
    add("night_work", night)
    if chores is not None:
        add("chores_any", 2 if chores == 0 else 1)
        if chores != 0:
            add("hours_chores_7d", chores)
    names = ("tip_recruited", "tip_age_at_start", "tip_movement", "tip_exploitation")
    names += ("tip_sector", "tip_control", "tip_docs_holder")
    for name, value in zip(names, tip, strict=True):
        if name == "tip_recruited" or tip[0] == 1 or tip[1] is not None:
            add(name, value)
    if tip[2] == "cross_border":
        add("tip_country", "ng")


def stream() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Interviews, answers and roster members, sorted by interview id as a store reads them."""
    interviews, answers, members = [], [], []
    for iid, stratum, cluster, number, district, weight, name in HOUSEHOLDS:
        interviews.append(
            {"id": iid, "enumerator": "enum07", "device_id": "laptop-3", "reference": "REF-" + iid}
        )
        kids = [c for c in CHILDREN if c[0] == iid]
        top = [("cluster", cluster), ("stratum", stratum), ("hh_number", number)]
        top += [("district", district), ("hh_weight", weight), ("respondent_name", name)]
        top += [("hh_size", len(kids) + 1)]
        for question, value in top:
            _ans(answers, iid, question, 0, value)
        _ans(answers, iid, "first_name", 1, "Head Planted")
        _ans(answers, iid, "sex", 1, 1)
        _ans(answers, iid, "age", 1, ADULT_AGES[iid])
        members.append((iid, "members", 1))
        for child in kids:
            _child_answers(answers, child)
            members.append((iid, "members", child[1]))
    answers.sort(key=lambda row: (row[0], row[2]))
    return interviews, answers, members


REFERENCE = DATA / "weighted_reference.json"


def compile_form() -> Any:
    """The mini instrument under the test protocol of ``tests/conftest.py``."""
    from fieldkit.instrument.compiler import compile_text
    from fieldkit.instrument.source import parse_source
    from fieldkit.protocol.compiler import compile_protocol_document
    from tests.conftest import PROTOCOL_YAML

    protocol, _ = compile_protocol_document(parse_source(PROTOCOL_YAML, "p.yaml"))
    assert protocol is not None
    result = compile_text(INSTRUMENT, {protocol.id: protocol}, file="mini.yaml")
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return result.form


def build_members() -> Any:
    """The members table with every derived variable (what the tests and reference use)."""
    from fieldkit.dataset import flatten
    from fieldkit.indicators import derive_all

    form = compile_form()
    dataset = flatten(form, *stream(), role="statistician")
    table = dataset.table("mini_household__members")
    derive_all(table, rule_sets=ALL_RULE_SETS, labour=LABOUR)
    return table


LABOUR = LabourInputs(
    industry=None,
    occupation=None,
    chores=(("chores_any", "hours_chores_7d"),),
    chores_hazards=(),
)
"""The mini instrument asks chores as one total and codes no industry or occupation."""

ALL_RULE_SETS = ("ilo_icls18_sna", "unicef_mics6", "unicef_mics6_legacy", "ilo_icls18_gpb")


def compile_street_form() -> Any:
    """The same questions as a street survey under a non-representative protocol."""
    from fieldkit.instrument.compiler import compile_text
    from fieldkit.instrument.source import parse_source
    from fieldkit.protocol.compiler import compile_protocol_document
    from tests.conftest import PROTOCOL_YAML

    text = PROTOCOL_YAML.replace(
        "small_cell_threshold: 5", "small_cell_threshold: 5\nrepresentative: false"
    )
    protocol, _ = compile_protocol_document(parse_source(text, "p.yaml"))
    assert protocol is not None
    body = INSTRUMENT.replace("kind: household", "kind: street")
    body = body.replace("sample_design: {stratum: stratum, psu: cluster, weight: hh_weight}\n", "")
    result = compile_text(body, {protocol.id: protocol}, file="street.yaml")
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return result.form
