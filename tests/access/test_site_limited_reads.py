"""Finding 13: a site-limited person reads only their sites' findings and gap assessments.

Two-sided on every read path (UI list and detail, export, global search, API list and detail):
what the hand-written expectation allows is shown, and what is shown is allowed.
"""

import csv
import io

import pytest

from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.core.registry import get_register
from chainward.ledger.context import actor_context
from tests.audits import factories as f
from tests.support.library import tiny_framework

OFFICER = "site_security_officer__site"  # Site security officer limited to S1


@pytest.fixture
def records(world):
    """Findings and gap assessments at S1, at S2, and for the whole organisation.

    The audit covers both S1 and S2: its finding at S2 belongs to S2, not to everyone who
    may read the audit.
    """
    org, s1, s2 = world["org_a"], world["s1"], world["s2"]
    with actor_context(None, name="fixture"):
        both = f.audit(org, "Audit of S1 and S2", sites=[s1, s2])
        only_s2 = f.audit(org, "Audit of S2", sites=[s2])
        whole = f.audit(org, "Organisation-wide audit")
        framework = tiny_framework()

        def gap(title, sites):
            obj = GapAssessment.objects.create(organisation=org, title=title, framework=framework,
                                               all_sites=not sites)
            obj.sites.set(sites)
            status = RequirementStatus.objects.create(
                organisation=org, assessment=obj, notes=f"{title} status",
                requirement=framework.requirements.get(ref_id="4.1"))
            return obj, status

        gap_s1, status_s1 = gap("Gap at Hamburg", [s1])
        gap_s2, status_s2 = gap("Gap at Rotterdam", [s2])
        gap_org, status_org = gap("Gap organisation-wide", [])
        return {
            # record -> whether the S1 officer may read it (written by hand, not derived)
            "finding at S1": (f.finding(both, "Finding seen at Hamburg", site=s1), True),
            "finding at S2 on an audit of S1 and S2":
                (f.finding(both, "Finding seen at Rotterdam", site=s2), False),
            "general finding of an audit of S1 and S2":
                (f.finding(both, "Finding about the whole audit"), True),
            "general finding of an audit of S2 only":
                (f.finding(only_s2, "Finding about the S2 audit"), False),
            "general finding of an organisation-wide audit":
                (f.finding(whole, "Finding about the organisation"), True),
            "gap assessment at S1": (gap_s1, True),
            "gap assessment at S2": (gap_s2, False),
            "organisation-wide gap assessment": (gap_org, True),
            "requirement status at S1": (status_s1, True),
            "requirement status at S2": (status_s2, False),
            "organisation-wide requirement status": (status_org, True),
        }


def _marker(obj):
    return getattr(obj, "statement", None) or getattr(obj, "title", None) or obj.notes


@pytest.fixture
def officer(client, world):
    client.force_login(world["users"][OFFICER])
    return client


def test_it_lists_and_shows_only_the_officers_sites(officer, records):
    for label, (obj, allowed) in records.items():
        register = get_register(obj)
        listing = officer.get(register.list_url, {"archived": "all"}).content.decode()
        assert (f'href="{obj.get_absolute_url()}"' in listing) == allowed, label
        assert officer.get(obj.get_absolute_url()).status_code == (200 if allowed else 404), label


# Records that apply to the whole organisation are read on screen by site-limited people but
# exported only with an organisation-wide export grant (the rule of every register).
ORGANISATION_WIDE = {"general finding of an organisation-wide audit",
                     "organisation-wide gap assessment", "organisation-wide requirement status"}


def test_it_exports_only_the_officers_sites(officer, records):
    for label, (obj, readable) in records.items():
        allowed = readable and label not in ORGANISATION_WIDE
        response = officer.get(get_register(obj).list_url, {"export": "csv"})
        assert response.status_code == 200
        cells = {cell for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
                 for cell in row}
        assert (obj.reference in cells) == allowed, label


def test_it_finds_only_the_officers_sites_in_search(officer, records):
    for label, (obj, allowed) in records.items():
        page = officer.get("/search/", {"q": _marker(obj)}).content.decode()
        assert (f'href="{obj.get_absolute_url()}"' in page) == allowed, label


def test_it_answers_the_api_only_for_the_officers_sites(officer, records):
    for label, (obj, allowed) in records.items():
        register = get_register(obj)
        base = f"/api/{register.app_label}/{register.url_prefix}/"
        ids = {row["id"] for row in officer.get(base, {"limit": 500}).json()["results"]}
        assert (obj.pk in ids) == allowed, label
        assert officer.get(f"{base}{obj.pk}/").status_code == (200 if allowed else 404), label
