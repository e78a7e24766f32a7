"""The gatehouse registers (issue 15 item 6): the visitor and driver log and the key and badge
log are site records on the register machinery — recorded through the form, the API and the
import, filtered and searched, and closed at the gate by "Sign out" / "Returned" through a
service that refuses a second closing and a time before the opening, in every path. A
site-limited officer records and sees only their sites' logs."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chainward.fieldchecks import services
from chainward.fieldchecks.models import KeyIssue, VisitorLogEntry
from chainward.jobs.models import Job

from . import factories as f
from .test_checks import fixture

WHEN = f.ago(hours=3).strftime("%Y-%m-%d %H:%M")


def test_a_driver_is_logged_in_and_signed_out_at_the_gate_page(client, world):
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    data = {"site": world["s1"].pk, "kind": "driver", "name": "Tomasz Zieliński",
            "company": "Trans-Pol", "vehicle_registration": "EL 7K204", "id_checked": "on",
            "id_type": "", "escorted_by": "", "purpose": "Collect trailer", "time_in": WHEN}
    response = client.post("/fieldchecks/visitors/add/", data)
    assert response.status_code == 400
    assert "Say which identity document was checked" in response.content.decode()
    response = client.post("/fieldchecks/visitors/add/", {**data, "id_type": "driving_licence"})
    assert response.status_code == 302
    entry = VisitorLogEntry.objects.get()
    assert entry.on_site and entry.created_by == officer
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Sign out" in page
    response = client.post(f"/fieldchecks/visitors/{entry.pk}/sign-out/", {"at": ""})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.time_out and abs(timezone.now() - entry.time_out) < datetime.timedelta(
        minutes=1)
    assert "Sign out" not in client.get(entry.get_absolute_url()).content.decode()
    # A second sign-out is refused with the reason; the time stays.
    first = entry.time_out
    response = client.post(f"/fieldchecks/visitors/{entry.pk}/sign-out/", {"at": ""},
                           follow=True)
    assert "already signed out" in response.content.decode()
    entry.refresh_from_db()
    assert entry.time_out == first


def test_sign_out_through_the_api_and_its_rules(client, world):
    entry = fixture(f.visitor, world["org_a"], world["s1"], name="Anna Becker")
    client.force_login(world["users"]["contributor__site"])
    url = f"/api/fieldchecks/visitors/{entry.pk}/sign-out/"
    before = (entry.time_in - datetime.timedelta(hours=1)).isoformat()
    response = client.post(url, {"at": before}, content_type="application/json")
    assert response.status_code == 400 and "time_out" in response.json()["errors"]
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["time_out"]
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400 and "already signed out" in json.dumps(
        response.json())
    # Viewers read the log but do not sign anyone out.
    other = fixture(f.visitor, world["org_a"], world["s1"], name="Ivan Horák")
    client.force_login(world["users"]["viewer__org"])
    response = client.post(f"/api/fieldchecks/visitors/{other.pk}/sign-out/", {},
                           content_type="application/json")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.time_out is None


def test_a_site_limited_officer_signs_out_only_at_their_sites(client, world):
    officer = world["users"]["site_security_officer__site"]
    there = fixture(f.visitor, world["org_a"], world["s2"], name="Elsewhere")
    with pytest.raises(PermissionDenied):
        services.sign_out_visitor(officer, there)
    client.force_login(officer)
    assert client.post(f"/fieldchecks/visitors/{there.pk}/sign-out/").status_code == 404
    response = client.post(f"/api/fieldchecks/visitors/{there.pk}/sign-out/", {},
                           content_type="application/json")
    assert response.status_code == 404
    there.refresh_from_db()
    assert there.time_out is None
    # Nor can they record a visitor at another site.
    response = client.post("/fieldchecks/visitors/add/", {
        "site": world["s2"].pk, "kind": "visitor", "name": "Sneaky", "time_in": WHEN})
    assert response.status_code == 400 and not VisitorLogEntry.objects.filter(
        name="Sneaky").exists()


def test_the_visitor_log_filters_who_is_still_on_site_and_searches_plates(client, world):
    org = world["org_a"]
    fixture(f.visitor, org, world["s1"], name="Gone Driver", vehicle_registration="EL 1111",
            time_out=f.ago(hours=1))
    fixture(f.visitor, org, world["s1"], name="Still Here", vehicle_registration="DU-RS 418")
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/fieldchecks/visitors/", {"on_site": "true"}).content.decode()
    assert "Still Here" in page and "Gone Driver" not in page
    page = client.get("/fieldchecks/visitors/", {"q": "DU-RS"}).content.decode()
    assert "Still Here" in page and "Gone Driver" not in page
    rows = client.get("/api/fieldchecks/visitors/", {"on_site": "false"}).json()["results"]
    assert [r["name"] for r in rows] == ["Gone Driver"]


def test_a_key_is_issued_by_the_person_recording_it_and_returned(client, world):
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    response = client.post("/api/fieldchecks/keys/", {
        "site": world["s1"].pk, "kind": "key", "key_id": "K-014 gate 2 padlock",
        "issued_to": "Piotr Lis (shift lead)", "issued_at": f.ago(hours=8).isoformat()},
        content_type="application/json")
    assert response.status_code == 201, response.content
    issue = KeyIssue.objects.get()
    assert issue.issued_by == officer and issue.is_out
    page = client.get("/fieldchecks/keys/", {"out": "true"}).content.decode()
    assert f'href="{issue.get_absolute_url()}"' in page
    response = client.post(f"/fieldchecks/keys/{issue.pk}/returned/", {"at": ""})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert not issue.is_out
    with pytest.raises(ValidationError, match="already returned"):
        services.return_key(officer, issue)
    link = f'href="{issue.get_absolute_url()}"'
    assert link not in client.get("/fieldchecks/keys/", {"out": "true"}).content.decode()
    assert link in client.get("/fieldchecks/keys/", {"out": "false"}).content.decode()


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("visitors.csv", buffer.getvalue().encode(),
                              content_type="text/csv")


def test_a_paper_visitor_log_is_imported_with_the_same_rules(admin_client, world,
                                                             run_on_commit):
    header = ["site", "kind", "name", "company", "vehicle_registration", "id_checked",
              "id_type", "time_in", "time_out"]
    day = f.ago(2).strftime("%Y-%m-%d")
    good = ["S1", "driver", "Jan Kowalski", "Trans-Pol", "EL 7K204", "true", "passport",
            f"{day} 08:00", f"{day} 09:00"]
    bad = ["S1", "visitor", "Out Before In", "", "", "false", "", f"{day} 10:00",
           f"{day} 09:00"]
    preview = admin_client.post("/fieldchecks/visitors/import/",
                                {"file": _csv([header, good, bad])})
    assert preview.status_code == 400  # row 3 is refused, with the reason
    assert "before the time in" in preview.content.decode()
    preview = admin_client.post("/fieldchecks/visitors/import/", {"file": _csv([header, good])})
    with run_on_commit():
        admin_client.post("/fieldchecks/visitors/import/",
                          {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    entry = VisitorLogEntry.objects.get()
    assert entry.site == world["s1"] and entry.id_type == "passport" and not entry.on_site
