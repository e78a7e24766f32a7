"""Time `verify_ledger()` in process on a ledger of N entries:
`python bench/ledger_verify.py --home DIR [--entries 110000] [--runs 3] [--workers 1,2]
[--profile]`.

Issue 11 asks `verify-ledger` to check a million entries in at most 30 s. Generating a million
records through the forms would take hours (generate.py writes ~360 records/s), so this appends
entries straight through the ledger's own write path (`append_entry` in `batched_appends`, 1,000
per transaction) with before/after dicts shaped like a partner's (a dozen fields: ids, names
with non-ASCII letters, decimals and coordinates as strings, timestamps, a list of ids), until
the instance holds `--entries`. Entries already there are kept, so an L instance works too.

Each run times `verify_ledger(workers=W)` once for every W of `--workers` in turn (1: in this
process; 2: two processes, one seq range each), so the ways are compared in alternation on the
same data under the same load. Prints each timing's wall and CPU time (this process only: the
checking processes' CPU is not in it) with the load average, then per W the minimum and median
wall time, entries/s and the seconds a million entries would take at that rate; `--profile`
adds a cProfile run (in process) and its top functions.
"""

import argparse
import cProfile
import datetime
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import CITIES, NAME_WORDS, setup_django  # noqa: E402

BATCH = 1_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="instance folder (else CHAINWARD_HOME)")
    parser.add_argument("--entries", type=int, default=110_000,
                        help="append entries until the ledger holds this many")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1",
                        help="comma-separated process counts to time in turn, e.g. 1,2")
    parser.add_argument("--profile", action="store_true", help="add one run under cProfile")
    parser.add_argument("--seed", type=int, default=28000)
    return parser.parse_args(argv)


def partner_fields(rng, pk, when):
    """A partner-shaped record as `signals.serialise` would give it (before `plain`)."""
    city, country, lat, lon = rng.choice(CITIES)
    return {
        "id": pk, "organisation_id": 1, "name": f"{rng.choice(NAME_WORDS)} {city} {pk}",
        "kind": "carrier", "country": country, "city": city,
        "latitude": f"{lat + rng.random() / 10:.6f}", "longitude": f"{lon:.6f}",
        "credit_limit": f"{rng.randrange(1000, 500_000)}.{rng.randrange(100):02d}",
        "notes": rng.choice(("", "Zollagentur für Łódź → Malmö", "Tier 2 \"preferred\"")),
        "archived": False, "version": rng.randrange(1, 9), "contact_ids": sorted(
            rng.sample(range(1, 5000), rng.randrange(0, 4))),
        "created_at": when - datetime.timedelta(days=rng.randrange(1, 900)), "updated_at": when,
    }


def fill(target, seed):
    """Append entries through `append_entry` until the ledger holds `target`."""
    from django.db import transaction
    from django.utils import timezone

    from chainward.ledger.context import actor_context
    from chainward.ledger.models import LedgerEntry
    from chainward.ledger.services import append_entry, batched_appends

    have = LedgerEntry.objects.count()
    rng = random.Random(seed + have)
    started = time.perf_counter()
    with actor_context(None, name="bench ledger", reason="benchmark data"):
        while have < target:
            with transaction.atomic(), batched_appends():
                for pk in range(have + 1, min(have + BATCH, target) + 1):
                    after = partner_fields(rng, pk, timezone.now())
                    before = None
                    if pk % 3:  # two in three entries are updates
                        before = {**after, "city": "Bremen", "version": after["version"] - 1}
                    append_entry("update" if before else "create", object_type="partners.partner",
                                 object_id=str(pk), object_repr=after["name"], organisation_id=1,
                                 before=before, after=after)
            have = min(have + BATCH, target)
            print(f"\r{have:,} entries", end="", file=sys.stderr, flush=True)
    if time.perf_counter() - started > 1:
        print(f"\nappended in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.home)
    from chainward.ledger.services import verify_ledger

    fill(args.entries, args.seed)
    ways = [int(w) for w in args.workers.split(",")]
    times = {w: [] for w in ways}
    count = 0
    for _ in range(args.runs):
        for workers in ways:
            report = {}
            load = os.getloadavg()[0]
            started, cpu_started = time.perf_counter(), time.process_time()
            ok, _seq, message, count = verify_ledger(workers=workers, report=report)
            times[workers].append(time.perf_counter() - started)
            cpu = ""
            if report.get("cpu"):
                cpu = f", CPU of the others {' + '.join(f'{t:.2f}' for t in report['cpu'])} s"
            print(f"workers={workers} ({report['processes']} process(es)): {times[workers][-1]:.2f}"
                  f" s (CPU here {time.process_time() - cpu_started:.2f} s, load {load:.2f}"
                  f" → {os.getloadavg()[0]:.2f}){cpu}  {message}", flush=True)
            if not ok:
                return 1
    for workers, runs in times.items():
        if runs:
            best, median = min(runs), statistics.median(runs)
            print(f"workers={workers}: {count:,} entries: min {best:.2f} s, median {median:.2f} s;"
                  f" {count / best:,.0f} entries/s at best, {best * 1e6 / count:.1f} s per million")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(verify_ledger, workers=1)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
