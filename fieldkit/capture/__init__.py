"""Capture: the interview engine (a pure state machine) that front ends drive.

engine = Engine(form)
session = engine.start("en")
prompt = session.current()        # a Prompt: consent first, then the form's questions
step = session.answer("2")        # a Step: ok + records to store, or an error message
if step.confirm:                  # it would delete answers: say so, then, if the enumerator agrees,
    step = session.answer("2", confirm=True)
"""

from __future__ import annotations

from fieldkit.capture.engine import Engine, Session
from fieldkit.capture.keys import Coded
from fieldkit.capture.plan import MAX_MEMBERS
from fieldkit.capture.prompts import (
    CheckFailure,
    ChoiceView,
    Confirmation,
    MemberRemoval,
    Progress,
    Prompt,
    PromptKind,
    Record,
    RosterPlace,
    Step,
    SummaryRow,
)
from fieldkit.instrument.expression import DONT_KNOW, REFUSED

__all__ = [
    "DONT_KNOW",
    "MAX_MEMBERS",
    "REFUSED",
    "CheckFailure",
    "ChoiceView",
    "Coded",
    "Confirmation",
    "Engine",
    "MemberRemoval",
    "Progress",
    "Prompt",
    "PromptKind",
    "Record",
    "RosterPlace",
    "Session",
    "Step",
    "SummaryRow",
]
