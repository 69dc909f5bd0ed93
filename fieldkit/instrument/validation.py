"""Turn a pydantic validation failure into issues that point at YAML lines."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fieldkit.instrument.source import NodePath, SourceDocument
from fieldkit.report import Issue

__all__ = ["did_you_mean", "validate_document"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def did_you_mean(word: str, candidates: Any) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def validate_document(
    model: type[ModelT], doc: SourceDocument
) -> tuple[ModelT | None, list[Issue]]:
    """Validate ``doc.data`` against ``model``; every problem becomes an issue with its line."""
    issues = [
        Issue(
            "FK-YAML-003",
            f"duplicate key '{path[-1]}'",
            location,
            "each key may appear once in a mapping; remove or rename one",
        )
        for path, location in doc.duplicates
    ]
    if not isinstance(doc.data, dict):
        issues.append(
            Issue(
                "FK-YAML-004",
                "the file must be a mapping of keys (id:, title:, ...)",
                doc.locate(()),
                "start the file with 'id: ...'",
            )
        )
        return None, issues
    try:
        parsed = model.model_validate(doc.data)
    except ValidationError as exc:
        issues.extend(_issue(error, model, doc) for error in _deduplicate(exc.errors()))
        return None, issues
    return parsed, issues


_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping such as {en: ..., fr: ...}",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "model_type": "a mapping of keys",
}


def _deduplicate(errors: list[Any]) -> list[Any]:
    """pydantic reports one error per member of a union: merge them into one per path."""
    by_path: dict[tuple[Any, ...], Any] = {}
    for error in errors:
        path = tuple(p for p in error["loc"] if not _is_union_tag(p))
        current = by_path.get(path)
        if current is None:
            by_path[path] = {**error, "loc": path, "alternatives": [error["type"]]}
        else:
            current["alternatives"].append(error["type"])
            if _specificity(error) > _specificity(current):
                by_path[path] = {**error, "loc": path, "alternatives": current["alternatives"]}
    return list(by_path.values())


def _is_union_tag(part: Any) -> bool:
    # union members appear in loc as type names: 'str', 'dict[str,str]', 'constrained-str'
    return isinstance(part, str) and (
        part in {"str", "int", "bool", "float"}
        or "[" in part
        or part.endswith("Model")
        or part.startswith(("constrained-", "function-"))
    )


def _specificity(error: Any) -> int:
    return {"extra_forbidden": 3, "missing": 2}.get(error["type"], 1)


def _issue(error: Any, model: type[BaseModel], doc: SourceDocument) -> Issue:
    path: NodePath = tuple(error["loc"])
    kind = error["type"]
    key = str(path[-1]) if path else "document"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, path[:-1])
        hint = did_you_mean(key, allowed) or f"allowed keys: {', '.join(sorted(allowed))}"
        return Issue("FK-YAML-002", f"unknown key '{key}'", doc.locate(path, key=True), hint)
    if kind == "missing":
        return Issue(
            "FK-YAML-004",
            f"missing required key '{key}'",
            doc.locate(path[:-1]),
            f"add '{key}: ...'",
        )
    value = error.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    if kind == "enum":
        expected = [
            e.strip(" '") for e in str(error["ctx"]["expected"]).replace(" or ", ",").split(",")
        ]
        hint = did_you_mean(str(value), expected) or f"use one of: {', '.join(expected)}"
        return Issue("FK-YAML-004", f"'{key}' has an unknown value{shown}", doc.locate(path), hint)
    words = [_TYPE_WORDS[t] for t in error["alternatives"] if t in _TYPE_WORDS]
    if words:
        message = f"'{key}' should be {' or '.join(dict.fromkeys(words))}{shown}"
    else:
        text = str(error["msg"]).rstrip(".")
        message = f"'{key}': {text[0].lower()}{text[1:]}{shown}"
    return Issue("FK-YAML-004", message, doc.locate(path), "see docs/instruments.md for the shape")


def _fields_at(model: type[BaseModel], path: NodePath) -> set[str]:
    """The field names of the model found at ``path`` (following nested models and lists)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return set()
        current = _inner_model(field.annotation)
    return set(current.model_fields) if _is_model(current) else set()


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside Optional[list[Model]] and friends, if any."""
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and _is_model(metadata_origin):
        return metadata_origin
    return None
