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


EXPAND_PARAMETER = {
    "name": "expand", "in": "query", "required": False,
    "description": "`display`: add `display`, each related field's record name (a list for "
                   "many-to-many fields), in the same queries. Related fields stay ids.",
    "schema": {"type": "string", "enum": ["display"]},
}
DISPLAY_PROPERTY = {
    "type": "object", "readOnly": True, "additionalProperties": {},
    "description": "With `?expand=display`: related field -> display name (null when empty, "
                   "a list of names for a many-to-many field, in the order of its ids).",
}


def _record_component(result, operation):
    """The component schema of the records a register's GET answers with, if any."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    component = result["components"]["schemas"].get(ref.rsplit("/", 1)[-1]) if ref else None
    if component is not None and "results" in component.get("properties", {}):
        ref = component["properties"]["results"].get("items", {}).get("$ref", "")
        component = result["components"]["schemas"].get(ref.rsplit("/", 1)[-1])
    if component is not None and {"url", "version"} <= set(component.get("properties", {})):
        return component
    return None


def add_problem_responses(result, generator, request, public):
    """Declare 400/401/403/404/409 problem answers on every operation; bound integers;
    `?expand=display` on the reads of every register."""
    result.setdefault("components", {}).setdefault("schemas", {})[PROBLEM] = PROBLEM_SCHEMA
    for methods in result.get("paths", {}).values():
        operation = methods.get("get")
        component = _record_component(result, operation) if operation else None
        if component is not None:
            operation.setdefault("parameters", []).append(dict(EXPAND_PARAMETER))
            component["properties"]["display"] = dict(DISPLAY_PROPERTY)
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
