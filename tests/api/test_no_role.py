"""Finding 12: a person with no current role gets empty lists and 404s, never a 500."""

import datetime

import pytest

from chainward.access.models import RoleAssignment, User
from chainward.core.registry import all_registers
from chainward.ledger.context import actor_context


def _api_base(register):
    return f"/api/{register.app_label}/{register.url_prefix}/"


@pytest.fixture(params=["expired external auditor", "never had a role"])
def roleless(request, client, world):
    """A signed-in person who holds no current role anywhere."""
    if request.param == "expired external auditor":
        user = world["users"]["external_auditor__org"]
        with actor_context(None, name="test"):
            for assignment in RoleAssignment.objects.filter(user=user):
                assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
                assignment.save()
    else:
        user = User.objects.create_user("nobody@a.example", "x" * 12, full_name="Nobody")
    client.force_login(user)
    client.raise_request_exception = False
    return client


def test_every_api_list_is_empty_for_a_person_without_a_role(roleless):
    answers = {}
    for register in all_registers():
        response = roleless.get(_api_base(register))
        answers[register.label] = (response.status_code,
                                   response.json().get("count") if response.status_code == 200
                                   else response.content[:200])
    assert {label: a for label, a in answers.items() if a != (200, 0)} == {}


def test_every_api_detail_is_404_for_a_person_without_a_role(roleless, world):
    answers = {}
    for register in all_registers():
        record = register.model.objects.order_by("pk").first()
        pk = record.pk if record is not None else 1
        response = roleless.get(f"{_api_base(register)}{pk}/")
        answers[register.label] = response.status_code
    assert {label: code for label, code in answers.items() if code != 404} == {}


def test_the_compliance_and_risk_registers_answer_filtered_lists(roleless):
    for url in ("/api/compliance/assessments/?framework=1&status=draft",
                "/api/risk/register/?owner=1&inherent_level=high&site=1"):
        response = roleless.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        assert response["Content-Type"].startswith("application/"), url
