"""Time a security plan with many ratings rendered by its background job:
`python bench/plan_pdf.py [--ratings 1000] [--home DIR]`.

Builds (in a fresh instance folder unless --home is given) an organisation with 50 sites, a
completed assessment with `--ratings` ratings spread over them, a countermeasure per 10 ratings,
generates the plan version, then runs the render job exactly as the worker would and prints the
job's wall time, the PDF's size and page count, and the time of the snapshot generation.
"""

import argparse
import datetime
import importlib.util
import io
import sys
import tempfile
import time
from pathlib import Path

# bench/ is not a package: load generate.py by its file name, whatever the current folder.
HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
_generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_generate)
setup_django = _generate.setup_django


def build(ratings):
    from django.core.management import call_command

    from chainward.access.models import Role, RoleAssignment, User
    from chainward.ledger.context import actor_context
    from chainward.library.models import CatalogEntry
    from chainward.risk import services
    from chainward.risk.models import (
        Countermeasure,
        Rating,
        SecurityAssessment,
        ThreatApplicability,
    )
    from chainward.supplychain.models import Organisation, Site

    call_command("catalogs", "load", stdout=io.StringIO())
    with actor_context(None, name="bench plan"):
        org = Organisation.objects.create(name=f"Plan bench {time.time_ns()}", country="DE")
        author = User.objects.create_user(f"author{org.pk}@bench.example", None)
        RoleAssignment.objects.create(organisation=org, user=author,
                                      role=Role.objects.get(name="Security manager"))
        sites = [Site.objects.create(organisation=org, name=f"Site {i}", code=f"B{i}",
                                     kind="warehouse", country="DE") for i in range(50)]
        matrix = services.default_matrix(org)
        assessment = SecurityAssessment.objects.create(
            organisation=org, title="Bench assessment", matrix=matrix, assessor=author)
        assessment.sites.set(sites)
        scenarios = list(CatalogEntry.objects.filter(kind="threat_scenario").order_by("order"))
        threats = [ThreatApplicability.objects.create(organisation=org, assessment=assessment,
                                                      scenario=s) for s in scenarios]
        measures = [Countermeasure.objects.create(
            organisation=org, title=f"Countermeasure {i}", measure_type="physical",
            owner=author, due_date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i))
            for i in range(ratings // 10)]
        rows = []
        for i in range(ratings):
            row = Rating(organisation=org, assessment=assessment,
                         threat=threats[i % len(threats)], site=sites[i % len(sites)],
                         likelihood=1 + i % 5, consequences={"economic": 1 + (i // 5) % 5},
                         decision="treat", owner=author, residual_likelihood=1,
                         residual_consequence=1, reference=f"RB-{i:05d}")
            row.compute_levels(matrix)
            rows.append(row)
        Rating.objects.bulk_create(rows, batch_size=500)
        through = Rating.countermeasures.through
        saved = list(Rating.objects.filter(assessment=assessment).order_by("pk"))
        through.objects.bulk_create([through(rating_id=r.pk,
                                             countermeasure_id=measures[i // 10].pk)
                                     for i, r in enumerate(saved) if measures])
        SecurityAssessment.objects.filter(pk=assessment.pk).update(
            status="completed", completed_on=datetime.date.today())
    assessment.refresh_from_db()
    return org, author, assessment


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=1000)
    parser.add_argument("--home", help="CHAINWARD_HOME (default: a new temporary folder)")
    args = parser.parse_args(argv)
    setup_django(args.home or tempfile.mkdtemp(prefix="chainward-plan-bench-"))

    from pypdf import PdfReader

    from chainward.jobs import services as jobs
    from chainward.jobs.models import Job
    from chainward.plans import security_plan
    from chainward.plans.models import SecurityPlanVersion
    from chainward.plans.tasks import render_plan_pdf

    start = time.perf_counter()
    org, author, assessment = build(args.ratings)
    print(f"built {args.ratings} ratings in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    version = security_plan.generate_version(author, assessment)
    print(f"generated the plan snapshot in {time.perf_counter() - start:.2f} s "
          f"({len(version.content['ratings'])} ratings, "
          f"{len(version.content['countermeasures'])} countermeasures)")
    job = jobs.create_job(author, org, "plan_pdf", "bench", {"version": version.pk, "total": 3})
    start = time.perf_counter()
    render_plan_pdf.func(str(job.pk))
    elapsed = time.perf_counter() - start
    job = Job.objects.get(pk=job.pk)
    version = SecurityPlanVersion.objects.get(pk=version.pk)
    from django.core.files.storage import default_storage

    with default_storage.open(version.pdf_file, "rb") as handle:
        body = handle.read()
    pages = len(PdfReader(io.BytesIO(body)).pages)
    print(f"render job: {job.status} in {elapsed:.1f} s; PDF {len(body) / 1024:.0f} KiB, "
          f"{pages} pages")
    return 0 if job.status == Job.Status.SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
