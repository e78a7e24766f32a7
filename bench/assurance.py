"""Time the partner-review readers on a benchmark instance:
`python bench/assurance.py --home DIR [--reviews] [--incidents N] [--repeat 5]`.

"Partner review due" is one SQL rule (partners.assurance: the risk score, the interval and the
next review date computed by the database). Every page that asks it pays for it on every
partner of the organisation, so this measures it where a person meets it, in process (Django's
test client, no network): the due count, the supply-chain register filtered to due partners,
the same through the API, and the home page (its card and My work).

`--reviews` first gives every partner without one a review 100 to 500 days old, and
`--incidents N` adds incidents of the last year (half naming a partner, half on a leg its
carrier runs) until there are N: with both, the score's inputs are all present, the case that
made the rule slow once (an incident subquery that read every incident for every partner).
Records go through their models' `.save()`, as in generate.py (one ledger entry each). The
benchmark user gets a confirmed authenticator so the in-process session passes the two-step
sign-in the app requires of administrators (as the test suite does).

Prints, per reader: the median of `--repeat` runs in ms and its query count.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import BENCH_EMAIL, setup_django  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="instance folder (else CHAINWARD_HOME)")
    parser.add_argument("--reviews", action="store_true",
                        help="give every partner without a review one (100-500 days old)")
    parser.add_argument("--incidents", type=int, default=0,
                        help="add incidents of the last year until there are this many")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=28000)
    return parser.parse_args(argv)


def add_data(org, reviews, incidents, rng):
    from django.db import transaction
    from django.utils import timezone

    from chainward.incidents.models import Incident
    from chainward.ledger.context import actor_context
    from chainward.supplychain.models import Leg, Partner, PartnerReview

    today = timezone.localdate()
    with actor_context(None, name="bench assurance", reason="benchmark data"):
        if reviews:
            missing = Partner.objects.filter(organisation=org, reviews__isnull=True)
            added = 0
            for partner in missing.iterator():
                with transaction.atomic():
                    PartnerReview(organisation=org, partner=partner, reviewer="bench",
                                  reviewed_on=today - datetime.timedelta(
                                      days=rng.randint(100, 500))).save()
                added += 1
            print(f"reviews added: {added:,}")
        have = Incident.objects.filter(organisation=org).count()
        if incidents > have:
            partners = list(Partner.objects.filter(organisation=org).values_list("pk", flat=True))
            legs = list(Leg.objects.filter(organisation=org).values_list("pk", flat=True))
            now = timezone.now()
            for i in range(have, incidents):
                kwargs = ({"partner_id": rng.choice(partners)} if i % 2
                          else {"leg_id": rng.choice(legs)})
                with transaction.atomic():
                    Incident(organisation=org, title=f"Bench incident {i + 1}",
                             incident_type="theft", severity=rng.randint(1, 10),
                             occurred_at=now - datetime.timedelta(days=rng.randint(1, 360)),
                             **kwargs).save()
            print(f"incidents added: {incidents - have:,}")


def measure(label, run, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    print(f"{label:<46} {statistics.median(times):9.1f} ms  {queries:3d} queries")


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.home)
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chainward.access.models import RoleAssignment, User
    from chainward.partners.assurance import partners_due_for_review
    from chainward.supplychain.models import Partner

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.get(email=BENCH_EMAIL)
    org = RoleAssignment.objects.filter(user=user).select_related("organisation") \
        .first().organisation
    add_data(org, args.reviews, args.incidents, random.Random(args.seed))

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Bench authenticator",
                                                 defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    partners = Partner.objects.filter(organisation=org)
    print(f"{org.name}: {partners.count():,} partners, "
          f"{partners_due_for_review(partners).count():,} due for review")

    def get(path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    measure("due count (partners_due_for_review)",
            lambda: partners_due_for_review(partners).count(), args.repeat)
    measure("register, review due (/supplychain/partners/)",
            get("/supplychain/partners/?review_due=true"), args.repeat)
    measure("API, review due (/api/supplychain/partners/)",
            get("/api/supplychain/partners/?review_due=true"), args.repeat)
    measure("home page (card and My work)", get("/"), args.repeat)


if __name__ == "__main__":
    main()
