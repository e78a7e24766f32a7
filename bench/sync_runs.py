"""Offline check runs benchmark: 100 queued 17-point inspections with photos synchronised, then
sent again.

    .venv/bin/python bench/sync_runs.py [--home DIR] [--runs 100] [--photo 4032x3024]
                                        [--failed-every 10]

What a phone does when the network returns with a queue of runs (issue 15 item 5): each run is
one multipart POST /api/fieldchecks/runs/sync/ with its 17 answers, one phone photo (a
12-megapixel JPEG with GPS and device EXIF, cleaned and resized by the server) and the
inspector's signature (PNG); every --failed-every-th run has a failed critical point and
opens an incident. Runs in-process against a fresh instance folder (a temporary one unless
--home is given): migrates, loads the catalogues, creates "Sync Bench Co" with one cross-dock,
a site security officer and the 17-point template from the catalogue. The runs go through
Django's test client (full middleware stack, no network), one after the other as the phone
sends them. Prints runs/s and per-run p50 / p95 for the first sending, then for the same runs
sent again (each answered with the stored run, nothing stored twice), and checks the counts.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

URL = "/api/fieldchecks/runs/sync/"


def setup_django(home):
    os.environ["CHAINWARD_HOME"] = str(Path(home).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "chainward.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("catalogs", "load", verbosity=0)


def generate():
    """The organisation, its cross-dock, a site-limited officer and the 17-point template."""
    from chainward.access.models import Role, RoleAssignment, User
    from chainward.fieldchecks import services
    from chainward.ledger.context import actor_context
    from chainward.supplychain.models import Organisation, Site

    with actor_context(None, name="bench sync"):
        org = Organisation.objects.create(name="Sync Bench Co", country="PL")
        site = Site.objects.create(organisation=org, name="Stryków cross-dock", code="XD1",
                                   kind="warehouse", country="PL")
        admin = User.objects.create_user("syncadmin@bench.example", None, full_name="Admin")
        RoleAssignment.objects.create(organisation=org, user=admin,
                                      role=Role.objects.get(name="Administrator"))
        officer = User.objects.create_user("syncbench@bench.example", None,
                                           full_name="Anna Nowak")
        assignment = RoleAssignment.objects.create(
            organisation=org, user=officer, all_sites=False,
            role=Role.objects.get(name="Site security officer"))
        assignment.sites.add(site)
    entry = next(e for e in services.catalogue_templates()
                 if e.ref_id == "ctpat-tractor-trailer-17pt")
    template = services.import_catalogue_template(admin, org, entry)
    return officer, site, template


def phone_photo(size):
    """A phone's JPEG: a noisy picture (it compresses like a photo, not like a flat colour),
    GPS position, make and model in its EXIF."""
    from PIL import Image

    image = Image.effect_noise(size, 48).convert("RGB")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "PhoneMaker", "Model X", "2026:12:01 06:42:10"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 53.0, 3.0), "E", (19.0, 36.0, 44.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=85)
    return buffer.getvalue()


def signature_png():
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 100), (200, 40), (380, 110), (580, 50)],
                               fill=(10, 10, 10, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def queued_runs(template, site, count, failed_every, photo, signature):
    """The bodies offline.js would send: (client_uuid, multipart dict builder)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chainward.fieldchecks.sync import template_revision

    items = list(template.items.filter(archived=False).order_by("order", "pk"))
    revision = template_revision(template)
    runs = []
    for n in range(count):
        failed = failed_every and n % failed_every == 0
        answers = [{"item": item.pk, "outcome": "pass"} for item in items]
        if failed:
            answers[0] = {"item": items[0].pk, "outcome": "fail",
                          "note": "Fresh welds under the bumper"}
        fields = {"client_uuid": str(uuid.uuid4()), "template": template.pk,
                  "template_revision": revision, "site": site.pk,
                  "vehicle_registration": f"EL {n:05d}", "container_number": f"BNCH {n:07d}",
                  "seal_numbers": f"PL{2400000 + n}", "performed_at": "2026-12-01T06:42:10Z",
                  "answers": json.dumps(answers), "inspector_name": "Anna Nowak"}

        def body(fields=fields, item=items[0].pk):
            return {**fields,
                    f"photo-{item}": SimpleUploadedFile("photo.jpg", photo, "image/jpeg"),
                    "inspector_image": SimpleUploadedFile("signature.png", signature,
                                                          "image/png")}
        runs.append(body)
    return runs


def send(client, runs, expected):
    times = []
    started = time.perf_counter()
    for body in runs:
        start = time.perf_counter()
        response = client.post(URL, body())
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != expected:
            raise SystemExit(f"{URL} returned HTTP {response.status_code} (expected "
                             f"{expected}): {response.content[:500]!r}")
    return time.perf_counter() - started, sorted(times)


def report(name, elapsed, times):
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{name:22} {len(times):>5} {len(times) / elapsed:>8.1f} "
          f"{statistics.median(times):>8.1f} {p95:>8.1f} {max(times):>8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="instance folder (default: a new temporary one)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--photo", default="4032x3024",
                        help="photo size, WIDTHxHEIGHT (default: a 12-megapixel phone camera)")
    parser.add_argument("--failed-every", type=int, default=10,
                        help="every n-th run fails a critical point (0: none)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.photo.lower().split("x"))
    home = args.home or tempfile.mkdtemp(prefix="chainward-bench-sync-")
    started = time.perf_counter()
    setup_django(home)
    officer, site, template = generate()
    photo, signature = phone_photo(size), signature_png()
    runs = queued_runs(template, site, args.runs, args.failed_every, photo, signature)
    print(f"{args.runs} queued runs of {template.items.count()} points, photo "
          f"{size[0]}×{size[1]} ({len(photo) // 1024} kB) in {home} "
          f"({time.perf_counter() - started:.1f} s to set up)")

    from django.test import Client

    from chainward.fieldchecks.models import CheckAnswer, CheckRun
    from chainward.incidents.models import Incident

    client = Client()
    client.force_login(officer)
    print(f"{'sending':22} {'runs':>5} {'runs/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    report("first (stored)", *send(client, runs, 201))
    report("again (idempotent)", *send(client, runs, 200))
    stored = CheckRun.objects.filter(template=template).count()
    answers = CheckAnswer.objects.filter(run__template=template).count()
    incidents = Incident.objects.filter(site=site).count()
    expected_incidents = len(range(0, args.runs, args.failed_every)) if args.failed_every else 0
    print(f"stored: {stored} runs, {answers} answers, {incidents} incidents")
    if stored != args.runs or incidents != expected_incidents:
        raise SystemExit(f"expected {args.runs} runs and {expected_incidents} incidents")


if __name__ == "__main__":
    main()
