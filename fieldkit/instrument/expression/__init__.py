"""The XLSForm/ODK expression language: parse, print, type-check and evaluate.

expr = parse("${age} >= 5 and selected(${work}, 'farm')", Location("f.yaml", 10, 5))
found, issues = typecheck(expr, scope, location, expected=ValueType.BOOLEAN)
run = compile_evaluator(expr)        # once
run(environment)                     # per answer set: True, False, a value or MISSING
"""

from __future__ import annotations

from .ast import Binary, Call, Current, Expr, Literal, Property, Ref, Unary
from .evaluate import Evaluator, compile_evaluator, evaluate
from .functions import FUNCTIONS, Function
from .parser import parse
from .printer import unparse
from .queries import aggregated_references, references, uses_current
from .typecheck import typecheck
from .types import DictScope, Scope, Symbol, ValueType
from .values import DONT_KNOW, MISSING, REFUSED, Environment, Missing, truthy

__all__ = [
    "DONT_KNOW",
    "FUNCTIONS",
    "MISSING",
    "REFUSED",
    "Binary",
    "Call",
    "Current",
    "DictScope",
    "Environment",
    "Evaluator",
    "Expr",
    "Function",
    "Literal",
    "Missing",
    "Property",
    "Ref",
    "Scope",
    "Symbol",
    "Unary",
    "ValueType",
    "aggregated_references",
    "compile_evaluator",
    "evaluate",
    "parse",
    "references",
    "truthy",
    "typecheck",
    "unparse",
    "uses_current",
]
