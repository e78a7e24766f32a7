"""Finding 16: bad input is a 400 on every database, and every /api/ error is problem details."""

import json

import pytest
from rest_framework.request import Request

from chainward.core import api as core_api
from chainward.core.pagination import MAX_LIMIT, RecordPagination

PROBLEM = "application/problem+json"
TOO_BIG = "99999999999999999999"  # 20 digits: beyond 64 bits
INT64_PLUS_ONE = "9223372036854775808"


def assert_problem(response, status):
    """The answer is a problem-details body with this status; returns the body."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["type"].startswith("urn:chainward:problem:")
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("query, field", [
    ({"from_site": TOO_BIG}, "from_site"),
    ({"carrier": TOO_BIG}, "carrier"),
    ({"to_site": INT64_PLUS_ONE}, "to_site"),
])
def test_an_id_filter_beyond_64_bits_is_a_400_naming_the_filter(admin_client, query, field):
    body = assert_problem(admin_client.get("/api/supplychain/legs/", query), 400)
    assert list(body["errors"]) == [field]
    assert field in body["detail"]


def test_a_number_filter_beyond_64_bits_is_a_400(admin_client):
    body = assert_problem(admin_client.get("/api/audits/findings/", {"audit": "1e30"}), 400)
    assert "audit" in body["errors"]


@pytest.mark.parametrize("query, field", [
    ({"limit": INT64_PLUS_ONE}, "limit"),
    ({"offset": INT64_PLUS_ONE}, "offset"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-5"}, "offset"),
    ({"limit": "ten"}, "limit"),
])
def test_a_bad_page_parameter_is_a_400_naming_it(admin_client, query, field):
    body = assert_problem(admin_client.get("/api/supplychain/sites/", query), 400)
    assert list(body["errors"]) == [field]


def test_a_page_larger_than_the_maximum_is_reduced_to_it(admin_client, rf):
    response = admin_client.get("/api/supplychain/sites/", {"limit": 5000})
    assert response.status_code == 200 and response.json()["count"] == 2
    request = Request(rf.get("/", {"limit": 5000}))
    assert MAX_LIMIT == 500
    assert RecordPagination().get_limit(request) == 500


def test_an_id_in_the_path_beyond_64_bits_is_a_404(admin_client):
    assert_problem(admin_client.get(f"/api/supplychain/sites/{TOO_BIG}/"), 404)


def test_a_reference_in_the_body_beyond_64_bits_is_a_400(admin_client, world):
    response = admin_client.post("/api/supplychain/legs/", json.dumps({
        "from_site": int(TOO_BIG), "to_site": world["s2"].pk, "mode": "road",
        "goods_categories": [int(TOO_BIG)]}), content_type="application/json")
    body = assert_problem(response, 400)
    assert {"from_site", "goods_categories"} <= set(body["errors"])


def test_field_errors_stay_readable_under_errors(admin_client, world):
    response = admin_client.patch(f"/api/supplychain/sites/{world['s1'].pk}/", json.dumps(
        {"city": "Altona"}), content_type="application/json")
    body = assert_problem(response, 400)
    assert body["type"] == "urn:chainward:problem:invalid"
    assert body["errors"]["version"] == [
        "Send the version you read; it stops you overwriting someone else's change."]
    assert body["detail"].startswith("version: Send the version you read")


def test_a_stale_version_is_a_409_problem_with_the_current_version(admin_client, world):
    site = world["s1"]
    response = admin_client.patch(f"/api/supplychain/sites/{site.pk}/", json.dumps(
        {"city": "Altona", "version": site.version + 5}), content_type="application/json")
    body = assert_problem(response, 409)
    assert body["type"] == "urn:chainward:problem:conflict"
    assert body["current_version"] == site.version


def test_an_unknown_api_address_is_a_404_problem(admin_client):
    body = assert_problem(admin_client.get("/api/no-such-thing/"), 404)
    assert body["instance"] == "/api/no-such-thing/"


def test_an_unknown_record_is_a_404_problem(admin_client):
    body = assert_problem(admin_client.get("/api/supplychain/sites/987654/"), 404)
    assert body["type"] == "urn:chainward:problem:not-found"


def test_an_anonymous_request_is_a_401_problem(client):
    response = client.get("/api/supplychain/sites/")
    body = assert_problem(response, 401)
    assert body["type"] == "urn:chainward:problem:not-authenticated"
    assert response["WWW-Authenticate"]


def test_a_refused_action_is_a_403_problem(client, world):
    client.force_login(world["users"]["viewer__org"])
    response = client.post("/api/supplychain/sites/", json.dumps(
        {"name": "New site", "kind": "warehouse", "country": "DE"}),
        content_type="application/json")
    assert_problem(response, 403)


def test_a_missing_csrf_token_is_a_403_problem(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["users"]["administrator__org"])
    response = browser.post("/api/supplychain/sites/", json.dumps({"name": "X"}),
                            content_type="application/json")
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]


def test_a_method_the_api_does_not_offer_is_a_405_problem(admin_client, world):
    response = admin_client.delete(f"/api/supplychain/sites/{world['s1'].pk}/")
    body = assert_problem(response, 405)
    assert "GET" in response["Allow"] and body["type"].endswith("method-not-allowed")


def test_malformed_json_is_a_400_problem(admin_client, world):
    response = admin_client.patch(f"/api/supplychain/sites/{world['s1'].pk}/", "{not json",
                                  content_type="application/json")
    body = assert_problem(response, 400)
    assert body["type"] == "urn:chainward:problem:parse-error"


def test_a_server_error_under_the_api_is_a_500_problem(admin_client, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_api.RecordViewSet, "list", crash)
    admin_client.raise_request_exception = False
    body = assert_problem(admin_client.get("/api/supplychain/sites/"), 500)
    assert "boom" not in body["detail"]


def test_pages_outside_the_api_keep_html_errors(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_declares_problem_errors_on_every_operation(admin_client):
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type", "title", "status", "detail"]
    operations = [(path, method, op) for path, methods in schema["paths"].items()
                  for method, op in methods.items()]
    assert len(operations) > 200
    missing = [(path, method, status) for path, method, op in operations
               for status in ("400", "401", "403", "404", "409")
               if op["responses"].get(status, {}).get("content", {}).get(PROBLEM, {})
               .get("schema") != {"$ref": "#/components/schemas/Problem"}]
    assert missing == []


def test_the_schema_bounds_integers_and_the_page_size(admin_client):
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/supplychain/legs/"]["get"][
        "parameters"]}
    assert parameters["from_site"]["schema"]["maximum"] == 2**63 - 1
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert "at most 500" in parameters["limit"]["description"]


def test_a_refusal_by_middleware_is_a_problem_too(client, world):
    user = world["users"]["administrator__org"]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    body = assert_problem(client.get("/api/supplychain/sites/"), 403)
    assert "password" in body["detail"]


def test_an_error_answer_a_view_builds_itself_keeps_its_members(admin_client, monkeypatch):
    from rest_framework.response import Response

    monkeypatch.setattr(core_api.RecordViewSet, "list", lambda self, request: Response(
        {"detail": "Not ready.", "problems": ["R-1 has no owner"]}, status=400))
    body = assert_problem(admin_client.get("/api/supplychain/sites/"), 400)
    assert body["detail"] == "Not ready." and body["problems"] == ["R-1 has no owner"]
