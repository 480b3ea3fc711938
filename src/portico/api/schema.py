"""The OpenAPI description's finishing touches: every operation documents the error
answers it can give, in the one error shape, so clients (and schemathesis) know them."""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["type", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "description": "A short machine word: invalid, not_found…"},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by field; empty when the problem is not with one field.",
        },
    },
}
_DESCRIPTIONS = {
    "400": "The request is not valid (see `errors`).",
    "401": "No valid log-in or token.",
    "403": "Not allowed to do this.",
    "404": "Not found, or not yours to see.",
    "406": "Cannot answer in a type the client accepts.",
    "415": "The body's content type is not accepted.",
    "422": "The Idempotency-Key was used for a different request.",
    "429": "Too many requests; try again after Retry-After seconds.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "406", "429"]
            if "{" in path:
                codes.append("404")
            if "requestBody" in operation:
                codes.append("415")
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                codes.append("422")
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result
