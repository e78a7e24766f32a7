"""Risk-register benchmark: 200 threat scenarios × 50 sites = 10,000 ratings, then timings.

    .venv/bin/python bench/risk.py [--home DIR] [--scenarios 200] [--targets 50] [--requests 30]

Runs in-process against a fresh instance folder (a temporary one unless --home is given):
migrates, loads the catalogues, creates "Risk Bench Co" with an administrator, one assessment
and the rating grid. Ratings are written with `bulk_create` (levels computed by
`Rating.compute_levels`, as `save()` would) — this measures reading, not writing; the ledger
therefore has no entry per rating. Then each page is requested N times through Django's test
client (full middleware stack, no network) and p50 / p95 latency and the query count are
printed per page.
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
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("catalogs", "load", verbosity=0)


def generate(scenarios, targets):
    from chainward.access.models import Role, RoleAssignment, User
    from chainward.ledger.context import actor_context
    from chainward.risk import services
    from chainward.risk.models import Rating, SecurityAssessment, ThreatApplicability
    from chainward.supplychain.models import Organisation, Site

    with actor_context(None, name="bench risk"):
        org = Organisation.objects.create(name="Risk Bench Co", country="DE")
        user = User.objects.create_user("riskbench@bench.example", None, full_name="Bench")
        RoleAssignment.objects.create(organisation=org, user=user,
                                      role=Role.objects.get(name="Administrator"))
        matrix = services.default_matrix(org)
        assessment = SecurityAssessment.objects.create(
            organisation=org, title="Bench assessment", matrix=matrix, assessor=user)
        Site.objects.bulk_create([
            Site(organisation=org, name=f"Bench site {i}", code=f"B{i}", kind="warehouse",
                 country="DE", reference=f"SIT-{i + 1:04d}") for i in range(targets)])
        sites = list(Site.objects.filter(organisation=org).order_by("pk"))
        assessment.sites.set(sites)
        ThreatApplicability.objects.bulk_create([
            ThreatApplicability(organisation=org, assessment=assessment,
                                custom_scenario=f"Bench scenario {i}", custom_categories=["CI"],
                                reference=f"TAP-{i + 1:05d}") for i in range(scenarios)])
        threats = list(ThreatApplicability.objects.filter(assessment=assessment).order_by("pk"))
        rows, n = [], 0
        for t, threat in enumerate(threats):
            for s, site in enumerate(sites):
                n += 1
                rating = Rating(organisation=org, assessment=assessment, threat=threat,
                                site=site, likelihood=1 + (t + s) % 5,
                                consequences={"economic": 1 + (t * 7 + s) % 5,
                                              "legal": 1 + (t + 2 * s) % 5},
                                decision="treat", owner=user, reference=f"RAT-{n:06d}")
                rating.compute_levels(matrix)
                rows.append(rating)
        Rating.objects.bulk_create(rows, batch_size=2000)
    return user, assessment


def measure(user, assessment, requests):
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
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="chainward-bench-risk-")
    started = time.perf_counter()
    setup_django(home)
    user, assessment = generate(args.scenarios, args.targets)
    print(f"{args.scenarios} scenarios × {args.targets} targets = "
          f"{args.scenarios * args.targets} ratings in {home} "
          f"({time.perf_counter() - started:.1f} s to set up)")
    measure(user, assessment, args.requests)


if __name__ == "__main__":
    main()
