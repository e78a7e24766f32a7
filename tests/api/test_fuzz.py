"""Schemathesis over every operation of the live OpenAPI document (issue 10, finding 16).

The document is fetched from /api/schema/ through the WSGI application, with one record of
every register in place (built by the register matrix cases). For each operation a few requests
are generated from its schema — valid ones, valid ones addressing an existing record, and
invalid ones (wrong types, numbers beyond 64 bits) — and sent as an organisation-wide
Administrator (API token) and as a person whose only role has expired (session and CSRF
token). No answer may be a server error or break what the document declares: body schema
(problem details for errors), status code, content type. The person without a role must not
manage a single write.

Deterministic: Hypothesis is derandomized and keeps no example database, so CI sends the same
requests every run. Budget: FUZZ_EXAMPLES requests per operation (default 3; the two tests
take about two minutes on two cores); FUZZ_NEGATIVE=0 leaves out the invalid requests.
"""

import datetime
import os
import sys
import traceback

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chainward.access.models import ApiToken, RoleAssignment
from chainward.core.registry import all_registers
from chainward.ledger.context import actor_context

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
NEGATIVE = os.environ.get("FUZZ_NEGATIVE", "1") == "1"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
CSRF = "fuzzcsrf" * 4  # a 32-character CSRF secret sent as cookie and header
# The profile of this module only (the suite's default profile is left alone): a few derandomized
# examples per operation, no example database, no shrinking (the first failure is reported).
settings.register_profile(
    "api-fuzz", max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    print_blob=False)
FUZZ_PROFILE = settings.get_profile("api-fuzz")


@pytest.fixture
def wsgi(db):
    """The application as a server runs it, inside this test's transaction.

    Django closes "old" connections around each request; the test client switches that off,
    and so must we, or the first request would end the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    errors = []

    def remember(sender, request=None, **kwargs):
        errors.append(f"{request.method} {request.get_full_path()}\n"
                      + "".join(traceback.format_exception(*sys.exc_info())[-6:]))

    got_request_exception.connect(remember, weak=False)
    try:
        yield get_wsgi_application(), errors
    finally:
        got_request_exception.disconnect(remember)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


_documents = {}
# Test modules whose RegisterCase.make builds one valid record of a register at S1.
CASE_MODULES = ("tests.test_register_matrix", "tests.audits.test_audit_matrix",
                "tests.certification.test_certification_matrix",
                "tests.documents.test_document_matrix", "tests.plans.test_security_plan",
                "tests.risk.test_risk_matrix_roles")


def _cases():
    import importlib

    from tests.support.matrix import RegisterCase

    for name in CASE_MODULES:
        importlib.import_module(name)
    found, todo = {}, list(RegisterCase.__subclasses__())
    while todo:
        case = todo.pop(0)
        todo.extend(case.__subclasses__())
        if case.register is not None:
            found.setdefault(case.__qualname__, case)
    return list(found.values())


def seed(world):
    """One record of every register at S1 (detail, change and workflow operations find one)."""
    from tests.risk.support import load_catalogues

    load_catalogues()
    made, failed = 0, []
    for case in _cases():
        try:
            with actor_context(None, name="fuzz fixture"), transaction.atomic():
                case().make(world, "in")
            made += 1
        except Exception as exc:  # noqa: BLE001 - a case that cannot build here is reported
            failed.append(f"{case.__qualname__}: {exc}")
    return made, failed


def _schema(app):
    """The live OpenAPI document, fetched from /api/schema/ once per test session."""
    if "raw" not in _documents:
        _documents["raw"] = schemathesis.openapi.from_wsgi("/api/schema/", app).raw_schema
    schema = schemathesis.openapi.from_dict(_documents["raw"])
    schema.app = app
    return schema


def _existing_ids(path):
    """Ids of records the operation's register holds now (half the examples address one)."""
    for register in all_registers():
        if path.startswith(f"/api/{register.app_label}/{register.url_prefix}/{{id}}/"):
            return list(register.model.objects.order_by("pk").values_list("pk", flat=True)[:5])
    return []


def _strategy(operation):
    """Valid requests, some at an existing record, and invalid ones (out of range, wrong type)."""
    strategies = [operation.as_strategy()]
    ids = _existing_ids(operation.path) if "{id}" in operation.path else []
    if ids:
        strategies.append(st.sampled_from(ids).flatmap(
            lambda pk: operation.as_strategy(path_parameters={"id": pk})))
    if NEGATIVE:
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def _fuzz(wsgi, headers, cookies=None):
    """Run every operation; returns the number of operations, answers by status, failures."""
    app, server_errors = wsgi
    schema = _schema(app)
    result = {"operations": 0, "statuses": {}, "writes_done": [], "failures": {},
              "server_errors": server_errors}
    for found in schema.get_all_operations():
        operation = found.ok()
        result["operations"] += 1

        @FUZZ_PROFILE
        @given(case=_strategy(operation))
        def run(case):
            response = case.call(headers=headers, cookies=cookies)
            statuses = result["statuses"]
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if case.method.upper() not in {"GET", "HEAD", "OPTIONS"} and \
                    200 <= response.status_code < 300:
                result["writes_done"].append(f"{case.method} {case.formatted_path}")
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - try every operation
            result["failures"][operation.label] = str(exc)[:3000]
    print("answers by status:", dict(sorted(result["statuses"].items())))
    return result


def _report(result):
    lines = [f"{label}:\n{message}" for label, message in result["failures"].items()]
    return "\n\n".join(lines + result["server_errors"][:5])


@pytest.fixture
def seeded(world):
    """The world plus one record of every register (a case that cannot build is reported)."""
    made, failed = seed(world)
    assert made >= 30, failed
    return world


def test_every_operation_answers_within_its_schema_for_an_administrator(wsgi, seeded):
    _, secret = ApiToken.issue(seeded["users"]["administrator__org"], "fuzz")
    result = _fuzz(wsgi, {"Authorization": f"Token {secret}"})
    assert result["operations"] > 200
    assert not result["failures"] and not result["server_errors"], _report(result)
    # The requests reach the views: records are read, created and changed, not only refused.
    assert result["statuses"].get(200, 0) > 100 and result["writes_done"]


def test_every_operation_answers_within_its_schema_for_a_person_without_a_role(wsgi, seeded,
                                                                               client):
    user = seeded["users"]["external_auditor__org"]
    with actor_context(None, name="test"):
        for assignment in RoleAssignment.objects.filter(user=user):
            assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
            assignment.save()
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    result = _fuzz(wsgi, {"X-CSRFToken": CSRF}, cookies)
    assert result["operations"] > 200
    assert not result["failures"] and not result["server_errors"], _report(result)
    assert result["writes_done"] == []  # nothing created, changed, archived or restored
