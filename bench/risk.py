"""Risk-register benchmark: 200 threat scenarios × 50 sites = 10,000 ratings, then timings.

    .venv/bin/python bench/risk.py [--home DIR] [--scenarios 200] [--targets 50] [--requests 30]

Runs in-process against a fresh instance folder (a temporary one unless --home is given):
migrates, loads the catalogues, creates "Risk Bench Co" with an administrator, one assessment,
the rating grid, 5,000 countermeasures (`--countermeasures`) and a gap assessment against the
CTPAT importers' criteria. Every record is written through the one write path
(`core.services.save_record`: the scope check, the model's rules, one ledger entry per record),
in transactions of 500 records whose ledger entries are sealed together when they commit
(`batched_appends`) and whose references are reserved at once, as an import batch does; the
seeding rate is printed. Then each page is requested N times through Django's test client (full
middleware stack, no network) and p50 / p95 latency and the query count are printed per page.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup_django(home):
    os.environ["CHAINWARD_HOME"] = str(Path(home).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "chainward.settings"
    # The client signs the benchmark's administrator in with force_login, without a second
    # step; two-step sign-in (required of administrators by default) is not what is measured.
    os.environ.setdefault("MFA_REQUIRED_ROLES", "")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("catalogs", "load", verbosity=0)


BATCH = 500


def _batches(items):
    """`items` in lists of BATCH, each written in one transaction with its entries sealed at
    its end."""
    from django.db import transaction

    from chainward.ledger.services import batched_appends

    for start in range(0, len(items), BATCH):
        with transaction.atomic(), batched_appends():
            yield items[start:start + BATCH]


def _save_all(user, model, rows, relations=None):
    """Save `rows` (unsaved `model` instances) through `save_record`, batch by batch; returns
    them saved. `relations(row)` gives a row's many-to-many values."""
    from chainward.core.models import ReferenceCounter
    from chainward.core.services import save_record

    for chunk in _batches(rows):
        references = ReferenceCounter.reserve(chunk[0].organisation_id, model.reference_prefix,
                                              len(chunk))
        for row, reference in zip(chunk, references, strict=True):
            row.reference = reference
            save_record(user, row, relations=relations(row) if relations else None)
    return rows


def generate(scenarios, targets, countermeasures):
    """The benchmark organisation, through the write path; returns `(user, assessment, gap,
    records written)`."""
    from chainward.access.models import Role, RoleAssignment, User
    from chainward.compliance.models import GapAssessment
    from chainward.core.services import save_record
    from chainward.ledger.context import actor_context
    from chainward.library.models import Framework
    from chainward.risk import services
    from chainward.risk.models import (
        Countermeasure,
        Rating,
        SecurityAssessment,
        ThreatApplicability,
    )
    from chainward.supplychain.models import Organisation, Site

    with actor_context(None, name="bench risk"):
        org = Organisation.objects.create(name="Risk Bench Co", country="DE")
        user = User.objects.create_user("riskbench@bench.example", None, full_name="Bench")
        RoleAssignment.objects.create(organisation=org, user=user,
                                      role=Role.objects.get(name="Administrator"),
                                      all_sites=True)
    with actor_context(user, name=str(user)):
        matrix = services.default_matrix(org, user)
        sites = _save_all(user, Site, [
            Site(organisation=org, name=f"Bench site {i}", code=f"B{i}", kind="warehouse",
                 country="DE") for i in range(targets)])
        assessment = save_record(user, SecurityAssessment(
            organisation=org, title="Bench assessment", matrix=matrix, assessor=user),
            relations={"sites": sites})
        threats = _save_all(user, ThreatApplicability, [
            ThreatApplicability(organisation=org, assessment=assessment,
                                custom_scenario=f"Bench scenario {i}", custom_categories=["CI"])
            for i in range(scenarios)])
        ratings = [
            Rating(organisation=org, assessment=assessment, threat=threat, site=site,
                   likelihood=1 + (t + s) % 5,
                   consequences={"economic": 1 + (t * 7 + s) % 5, "legal": 1 + (t + 2 * s) % 5},
                   decision="treat", owner=user)
            for t, threat in enumerate(threats) for s, site in enumerate(sites)]
        _save_all(user, Rating, ratings)
        measure_types = [value for value, _label in Countermeasure._meta.get_field(
            "measure_type").choices]
        _save_all(user, Countermeasure, [
            Countermeasure(organisation=org, title=f"Bench countermeasure {i}",
                           measure_type=measure_types[i % len(measure_types)], owner=user)
            for i in range(countermeasures)],
            relations=lambda measure: {"sites": [sites[int(measure.title.rsplit(" ", 1)[1])
                                                       % len(sites)]]})
        # A new gap assessment lists every assessable requirement (its register's after_save).
        gap = save_record(user, GapAssessment(
            organisation=org, title="CTPAT importers", all_sites=True,
            framework=Framework.objects.get(urn="urn:chainward:framework:ctpat-msc-importers")))
        written = (len(sites) + 1 + len(threats) + len(ratings) + countermeasures + 1
                   + gap.statuses.count())
    return user, assessment, gap, written


def measure(user, assessment, gap, requests):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    pages = {
        "register p1": "/risk/register/",
        "register p100 sorted": "/risk/register/?page=100&sort=-residual_rank",
        "register filtered": f"/risk/register/?assessment={assessment.pk}&residual_level=high",
        "register cell": "/risk/register/?residual_cell=3-4",
        "heat maps": "/risk/heatmap/",
        "api list 100": "/api/risk/register/?limit=100",
        "assessment detail": assessment.get_absolute_url(),
        "api ratings 10": "/api/risk/register/?limit=10",
        "api one rating": f"/api/risk/register/{assessment.ratings.order_by('pk').first().pk}/",
        "api countermeasures 10": "/api/risk/countermeasures/?limit=10",
        "api statuses of the gap": f"/api/compliance/statuses/?assessment={gap.pk}&limit=100",
    }
    print(f"{'page':24} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} returned HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{name:24} {len(times):>4} {statistics.median(times):>8.1f} {p95:>8.1f} "
              f"{len(ctx.captured_queries):>8}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="instance folder (default: a new temporary one)")
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--countermeasures", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="chainward-bench-risk-")
    started = time.perf_counter()
    setup_django(home)
    from chainward.ledger.models import LedgerEntry

    entries = LedgerEntry.objects.count()
    seeding = time.perf_counter()
    user, assessment, gap, written = generate(args.scenarios, args.targets,
                                              args.countermeasures)
    seconds = time.perf_counter() - seeding
    print(f"{args.scenarios} scenarios × {args.targets} targets = "
          f"{args.scenarios * args.targets} ratings, {args.countermeasures} countermeasures, "
          f"{gap.statuses.count()} requirement statuses in {home}: {written} records and "
          f"{LedgerEntry.objects.count() - entries} ledger entries in {seconds:.1f} s "
          f"({written / seconds:.0f} records/s; {time.perf_counter() - started:.1f} s in all)")
    measure(user, assessment, gap, args.requests)


if __name__ == "__main__":
    main()
