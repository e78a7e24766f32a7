"""No page grows with the related records it could offer (issue 11 item 1).

One record of every register is made (the register-matrix cases), then sites, partners, legs,
ratings and requirements are added — 30 of each, then 300 — and every registered list, detail,
add and edit page, the API list and detail of every register and the dashboard are fetched in
both states. Queries and bytes may differ by a small constant only. The small state has 30, not
10, so that the lists of the grown registers themselves show a full first page (25 rows) in
both states: their rows are paginated, the point here is the records a page could *offer*.

Registers come from `core.registry.all_registers()`, so a new register is covered as soon as
it is declared (and has a matrix case; one without is reported by the fixture).
"""

import html
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chainward.core.registry import all_registers, registration
from chainward.ledger.context import actor_context
from chainward.ledger.services import batched_appends
from chainward.library.models import Requirement
from chainward.risk.models import Rating, ThreatApplicability
from chainward.supplychain.models import Leg, Partner, Site

SMALL, LARGE = 30, 300
QUERY_SLACK = 2  # queries a page may add between the two states
BYTE_SLACK = 600  # e.g. "30 sites" -> "300 sites", "Page 1 of 2" -> "Page 1 of 12"


def grow(world, count):
    """Bring the growth records of organisation A up to `count` each, through the ledgered
    write path (every save appends its entry; the entries are sealed once per transaction)."""
    org = world["org_a"]
    threat = ThreatApplicability.objects.filter(organisation=org).order_by("pk").first()
    assessment = threat.assessment if threat is not None else None
    owner = world["users"]["security_manager__org"]
    with actor_context(None, name="growth fixture"), transaction.atomic(), batched_appends():
        have = Site.objects.filter(organisation=org, code__startswith="GR").count()
        for i in range(have, count):
            Site(organisation=org, name=f"Growth site {i:04d}", code=f"GR{i:04d}",
                 kind="warehouse", country="DE").save()
        have = Partner.objects.filter(organisation=org, name__startswith="Growth").count()
        for i in range(have, count):
            Partner(organisation=org, name=f"Growth partner {i:04d}", kind="supplier",
                    country="PL").save()
        sites = list(Site.objects.filter(organisation=org, code__startswith="GR")
                     .order_by("pk")[:count])
        partners = list(Partner.objects.filter(organisation=org, name__startswith="Growth")
                        .order_by("pk")[:count])
        legs = list(Leg.objects.filter(organisation=org, to_site__code__startswith="GR")
                    .order_by("pk"))
        for i in range(len(legs), count):
            legs.append(Leg(organisation=org, from_site=world["s1"], to_site=sites[i],
                            mode="road", carrier=partners[i]))
            legs[-1].save()
        if threat is not None:
            rated = set(Rating.objects.filter(threat=threat).values_list("leg_id", flat=True))
            for leg in legs[:count]:
                if leg.pk not in rated:
                    Rating(organisation=org, assessment=assessment, threat=threat, leg=leg,
                           likelihood=2, consequences={"economic": 2}, decision="treat",
                           owner=owner).save()
    framework = Requirement.objects.order_by("pk").first().framework
    have = Requirement.objects.filter(urn__startswith="urn:test:growth:").count()
    rows = [Requirement(framework=framework, urn=f"urn:test:growth:{i:04d}", ref_id=f"G{i:04d}",
                        depth=1, order=100_000 + i, title=f"Growth requirement {i:04d}")
            for i in range(have, count)]
    assert registration(Requirement) is None  # catalogue data, not a ledgered record
    Requirement.objects.bulk_create(rows)
    assert threat is not None, "the matrix cases made no threat applicability to rate"


def pages(world):
    """Every registered page of one record of each register, the API and the dashboard."""
    org = world["org_a"]
    urls = ["/"]
    for register in all_registers():
        urls.append(register.list_url)
        api = f"/api/{register.app_label}/{register.url_prefix}/"
        urls.append(f"{api}?limit=25")
        if register.can_add:
            urls.append(register.add_url)
        obj = register.model.objects.filter(
            **{register.registration.organisation_path: org.pk}, archived=False,
        ).order_by("pk").first()
        if obj is None:
            continue
        urls += [obj.get_absolute_url(), f"{api}{obj.pk}/",
                 obj.get_absolute_url().rstrip("/") + "/edit/"]
    return urls


def measure(client, urls, lookups=None):
    """(status, queries, bytes) of each page; the lookup addresses its pickers name are
    collected into `lookups`."""
    found = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found[url] = (response.status_code, len(ctx.captured_queries), len(body))
        if lookups is not None:
            lookups.update(html.unescape(m) for m in re.findall(rb'data-lookup="([^"]+)"', body)
                           for m in [m.decode()])
    return found


@pytest.fixture
def seeded(world):
    from tests.api.test_fuzz import seed

    made, failed = seed(world)
    assert made >= 30, failed
    return world


def test_no_page_grows_with_related_records(client, seeded):
    world = seeded
    client.force_login(world["users"]["administrator__org"])
    grow(world, SMALL)
    urls = pages(world)
    lookups = set()
    small = measure(client, urls, lookups)
    # The pickers' first pages, as Tom Select asks for them on focus.
    picks = sorted(f"{u}{'&' if '?' in u else '?'}q=&page=1" for u in lookups)
    urls += picks
    small.update(measure(client, picks))
    grow(world, LARGE)
    assert Leg.objects.filter(to_site__code__startswith="GR").count() == LARGE
    assert Rating.objects.filter(leg__to_site__code__startswith="GR").count() == LARGE
    large = measure(client, urls)
    grown = []
    for url in urls:
        (s_status, s_queries, s_bytes), (l_status, l_queries, l_bytes) = small[url], large[url]
        if s_status != l_status or l_queries > s_queries + QUERY_SLACK or \
                l_bytes > s_bytes + BYTE_SLACK:
            grown.append(f"{url}: {s_status}/{l_status}, queries {s_queries} -> {l_queries}, "
                         f"bytes {s_bytes} -> {l_bytes}")
    ok = [u for u in urls if small[u][0] == 200]
    print(f"{len(urls)} pages ({len(picks)} lookups), {len(ok)} answered 200; risk register "
          f"queries {small['/risk/register/'][1]} -> {large['/risk/register/'][1]}")
    assert not grown, "\n".join(grown)
    assert len(ok) > 150
    # The page of the issue: the risk register with 300 legs, partners and sites to filter by.
    assert large["/risk/register/"][1] <= 15
