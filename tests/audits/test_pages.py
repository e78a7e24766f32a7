"""Every audits page renders under the strict CSP (no inline script or style) for the demo."""

import io

import pytest
from django.core.management import call_command

from chainward.audits.models import Audit, AuditProgramme, CorrectiveAction, Finding
from tests.core.test_pages import (
    test_pages_have_a_strict_csp_and_no_inline_script_or_style as assert_strict_csp,
)

from .test_demo_audits import run


@pytest.fixture
def demo(db, client):
    call_command("catalogs", "load", stdout=io.StringIO())
    organisation, _ = run()
    from chainward.access.models import User

    client.force_login(User.objects.get(email="admin@abc-logistics.example"))
    return organisation


def test_audits_pages_are_csp_clean(client, demo):
    programme = AuditProgramme.objects.get()
    closed = Audit.objects.get(status="closed")
    capa_done = CorrectiveAction.objects.get(status="actions_done")
    urls = ["/audits/programmes/", programme.get_absolute_url(),
            f"/audits/programmes/{programme.pk}/coverage/", "/audits/audits/",
            closed.get_absolute_url(), f"/audits/audits/{closed.pk}/checklist/",
            "/audits/audits/add/", "/audits/findings/", Finding.objects.first().get_absolute_url(),
            "/audits/corrective-actions/", capa_done.get_absolute_url(),
            "/audits/corrective-actions/?overdue=true", "/audits/checklist-items/",
            "/audits/corrective-action-steps/", "/audits/my-work/", "/"]
    for url in urls:
        assert_strict_csp(client, None, url)
    page = client.get(capa_done.get_absolute_url()).content.decode()
    assert "Record verification" in page  # the administrator is not the owner
    home = client.get("/").content.decode()
    assert "Audits in the next 30 days" in home and "Corrective actions overdue" in home
