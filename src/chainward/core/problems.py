"""API errors as problem details (RFC 9457): one JSON shape for every error under /api/.

Every answer of 400 or more under /api/ is `application/problem+json`:

    {"type": "urn:chainward:problem:invalid", "title": "Bad Request", "status": 400,
     "detail": "name: This field is required.", "instance": "/api/supplychain/sites/",
     "errors": {"name": ["This field is required."]}}

`type` names the kind of problem (`urn:chainward:problem:<code>`, the code DRF gives the error:
invalid, not-found, permission-denied, not-authenticated, conflict, throttled, server-error …),
`title` is the HTTP status phrase, `detail` says what is wrong in words, and a 400 lists its
field errors in `errors` exactly as the serializer or filter reported them (`non_field_errors`
for errors about the whole request). Other members a view adds (a 409's `current_version`)
stay beside them. DRF's exceptions are shaped by `chainward.core.api.exception_handler`;
everything else — an unknown /api/ address, a server error, a CSRF refusal, an error answer a
view builds itself — by `ProblemDetailsMiddleware`.
"""

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
TYPE_PREFIX = "urn:chainward:problem:"
NON_FIELD = "non_field_errors"
# The code of an error answer nobody named (Django's own 404 and 500 pages, a view's Response).
STATUS_CODES = {400: "invalid", 401: "not-authenticated", 403: "permission-denied",
                404: "not-found", 405: "method-not-allowed", 406: "not-acceptable",
                409: "conflict", 413: "too-large", 415: "unsupported-media-type",
                429: "throttled", 500: "server-error"}
STATUS_DETAILS = {
    404: "Nothing here: check the address against the API documentation at /api/docs/.",
    500: "The server failed to answer this request; it has been logged. Try again later or "
         "report the time of the request.",
}
PROBLEM_MEMBERS = ("type", "title", "status", "detail", "instance")


def _title(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status, detail=None, *, code=None, errors=None, instance=None, **extra):
    """A problem-details dict; `errors` (field -> messages) only for invalid input."""
    code = (code or STATUS_CODES.get(status) or ("invalid" if status < 500 else "server-error"))
    body = {
        "type": TYPE_PREFIX + str(code).replace("_", "-"),
        "title": _title(status),
        "status": status,
        "detail": str(detail) if detail else STATUS_DETAILS.get(status, _title(status) + "."),
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    for key, value in extra.items():
        if key not in body and key != "errors":
            body[key] = value
    return body


def summarise(errors):
    """One readable sentence from field errors: `name: This field is required.`."""
    parts = []
    for field, messages in errors.items():
        text = " ".join(_flatten(messages))
        parts.append(text if field == NON_FIELD else f"{field}: {text}")
    return " ".join(parts) or "The request is not valid."


def _flatten(messages):
    if isinstance(messages, dict):
        for key, value in messages.items():
            for text in _flatten(value):
                yield f"{key}: {text}"
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flatten(value)
    elif messages not in (None, ""):
        yield str(messages)


def from_data(status, data, *, code=None, instance=None):
    """Shape an error answer's data (DRF's `{"detail": …}`, field errors, a list) as a problem."""
    if isinstance(data, dict) and "type" in data and data.get("status") == status:
        return data  # already a problem
    if status == 400 and isinstance(data, list):
        data = {NON_FIELD: data}
    if isinstance(data, dict) and "detail" in data:
        extra = {k: v for k, v in data.items() if k not in PROBLEM_MEMBERS}
        # A view's own code ("last_administrator") names the problem more precisely.
        code = extra.pop("code", None) or code
        return problem(status, _text(data["detail"]), code=code, instance=instance, **extra)
    if isinstance(data, dict) and data:
        if status == 400:
            # Every field's errors as a list of messages, as DRF gives most of them.
            errors = {field: [messages] if isinstance(messages, str) else messages
                      for field, messages in data.items()}
            return problem(status, summarise(errors), code=code, errors=errors,
                           instance=instance)
        return problem(status, summarise(data), code=code, instance=instance)
    if isinstance(data, list) and data:
        return problem(status, " ".join(_flatten(data)), code=code, instance=instance)
    return problem(status, _text(data) if isinstance(data, str) else None, code=code,
                   instance=instance)


def _text(value):
    return " ".join(_flatten(value)) if isinstance(value, (list, dict)) else str(value)


def problem_response(body, headers=None):
    """A plain Django response carrying a problem body."""
    response = HttpResponse(json.dumps(body), status=body["status"],
                            content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_api(request):
    """Whether the request addresses the API (its errors are problems, not pages)."""
    return request.path.startswith(API_PREFIX)


class ProblemDetailsMiddleware:
    """Turn every error answer under /api/ into problem details (see the module docstring).

    Sits above the middleware that may refuse a request (CSRF, sessions) so that their
    refusals are converted too; DRF answers already shaped by the exception handler only get
    the problem content type.
    """

    KEEP_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request) or response.streaming:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(PROBLEM_CONTENT_TYPE):
            return response
        renderer = getattr(response, "accepted_renderer", None)
        if renderer is not None and getattr(renderer, "format", "") == "api":
            return response  # the browsable API shows the same problem body in its page
        data = getattr(response, "data", None)
        if data is None and content_type.startswith("application/json"):
            try:
                data = json.loads(response.content or b"null")
            except ValueError:
                data = None
        body = from_data(response.status_code, data, instance=request.path)
        converted = problem_response(body)
        for name in self.KEEP_HEADERS:
            if response.has_header(name):
                converted[name] = response[name]
        for cookie in response.cookies.values():
            converted.cookies[cookie.key] = cookie
        return converted
