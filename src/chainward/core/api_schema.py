"""OpenAPI document additions: the problem-details errors and the integer bounds of the API.

A drf-spectacular post-processing hook, so every operation — generated register viewsets,
workflow actions, anything added later — declares the same error answers without a decorator
per view.
"""

from .bounds import INT_MAX, INT_MIN
from .problems import PROBLEM_CONTENT_TYPE

PROBLEM = "Problem"
ERROR_RESPONSES = {
    "400": "Invalid input: `errors` lists the messages per field (`non_field_errors` for the "
           "request as a whole), `detail` sums them up.",
    "401": "Not signed in: send `Authorization: Token <key>` or sign in.",
    "403": "You may not do this (your role, your sites, or the record's state).",
    "404": "No such record among those you may see, or no such address.",
    "409": "The record changed since the version you sent (`current_version`), or the change "
           "conflicts with a rule such as keeping one administrator.",
}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error answer as problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string",
                 "description": "The kind of problem, `urn:chainward:problem:<code>`."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What is wrong, in words."},
        "instance": {"type": "string", "description": "The address that answered."},
        "errors": {"type": "object", "additionalProperties": {},
                   "description": "Field name -> messages (400 only)."},
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def add_problem_responses(result, generator, request, public):
    """Declare 400/401/403/404/409 problem answers on every operation; bound integers."""
    result.setdefault("components", {}).setdefault("schemas", {})[PROBLEM] = PROBLEM_SCHEMA
    problem_content = {PROBLEM_CONTENT_TYPE: {
        "schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses[status] = {"description": description, "content": problem_content}
            for parameter in operation.get("parameters", ()):
                _bound(parameter.get("schema", {}))
    for schema in result["components"]["schemas"].values():
        for prop in schema.get("properties", {}).values():
            _bound(prop)
            _bound(prop.get("items", {}))
    return result


def _bound(schema):
    """An integer the API accepts lies within 64 bits (it is compared by the database)."""
    if schema.get("type") == "integer":
        schema.setdefault("format", "int64")
        schema.setdefault("minimum", INT_MIN)
        schema.setdefault("maximum", INT_MAX)
