"""Generate a benchmark organisation: `python bench/generate.py --scale S|M|L [--home DIR]`.

Every record goes through its model's ordinary `.save()`, so the ledger receives one entry
per record exactly as it would from the web forms (no bulk_create, no QuerySet.update, no raw
SQL). Records are committed in batches so memory stays flat at any scale, and each batch uses
what an import batch uses (core.imports): the batch's ledger entries are built at each save and
sealed together when it commits (`ledger.services.batched_appends`: one head update, one
insert), and its references are reserved at once (`ReferenceCounter.reserve`).

Scales (sites / partners / legs): S 50 / 500 / 500, M 500 / 5,000 / 5,000,
L 2,000 / 50,000 / 50,000 — plus 8 goods categories, programme statuses for one partner in
ten and the benchmark user with an Administrator role over the whole organisation.
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

SCALES = {
    "S": {"sites": 50, "partners": 500, "legs": 500},
    "M": {"sites": 500, "partners": 5_000, "legs": 5_000},
    "L": {"sites": 2_000, "partners": 50_000, "legs": 50_000},
}
BENCH_EMAIL = "bench@bench.example"
BENCH_PASSWORD = "bench-Chainward-2028!"
BATCH = 500
PROGRAMME_SHARE = 10  # one partner in this many gets a programme status

# (city, country, latitude, longitude): all inside lat 36–60, lon −9–30.
CITIES = (
    ("Hamburg", "DE", 53.55, 10.00), ("Bremen", "DE", 53.08, 8.80),
    ("Duisburg", "DE", 51.43, 6.76), ("Cologne", "DE", 50.94, 6.96),
    ("Frankfurt am Main", "DE", 50.11, 8.68), ("Munich", "DE", 48.14, 11.58),
    ("Leipzig", "DE", 51.34, 12.37), ("Berlin", "DE", 52.52, 13.40),
    ("Stuttgart", "DE", 48.78, 9.18), ("Nuremberg", "DE", 49.45, 11.08),
    ("Rotterdam", "NL", 51.92, 4.48), ("Amsterdam", "NL", 52.37, 4.90),
    ("Venlo", "NL", 51.37, 6.17), ("Tilburg", "NL", 51.56, 5.09),
    ("Antwerp", "BE", 51.22, 4.40), ("Liège", "BE", 50.63, 5.57),
    ("Lille", "FR", 50.63, 3.06), ("Paris", "FR", 48.86, 2.35), ("Lyon", "FR", 45.76, 4.84),
    ("Marseille", "FR", 43.30, 5.37), ("Le Havre", "FR", 49.49, 0.11),
    ("Barcelona", "ES", 41.39, 2.17), ("Madrid", "ES", 40.42, -3.70),
    ("Valencia", "ES", 39.47, -0.38), ("Zaragoza", "ES", 41.65, -0.89),
    ("Lisbon", "PT", 38.72, -9.00), ("Porto", "PT", 41.15, -8.61),
    ("Milan", "IT", 45.46, 9.19), ("Genoa", "IT", 44.41, 8.93), ("Verona", "IT", 45.44, 10.99),
    ("Bologna", "IT", 44.49, 11.34), ("Vienna", "AT", 48.21, 16.37), ("Linz", "AT", 48.31, 14.29),
    ("Zurich", "CH", 47.38, 8.54), ("Basel", "CH", 47.56, 7.59),
    ("Prague", "CZ", 50.08, 14.44), ("Brno", "CZ", 49.20, 16.61),
    ("Poznań", "PL", 52.41, 16.93), ("Łódź", "PL", 51.76, 19.46),
    ("Warsaw", "PL", 52.23, 21.01), ("Gdańsk", "PL", 54.35, 18.65),
    ("Wrocław", "PL", 51.11, 17.04), ("Budapest", "HU", 47.50, 19.04),
    ("Bratislava", "SK", 48.15, 17.11), ("Copenhagen", "DK", 55.68, 12.57),
    ("Aarhus", "DK", 56.16, 10.20), ("Gothenburg", "SE", 57.71, 11.97),
    ("Malmö", "SE", 55.60, 13.00), ("Riga", "LV", 56.95, 24.11),
    ("Vilnius", "LT", 54.69, 25.28), ("Ljubljana", "SI", 46.06, 14.51),
    ("Zagreb", "HR", 45.81, 15.98), ("Bucharest", "RO", 44.43, 26.10),
    ("Sofia", "BG", 42.70, 23.32), ("Thessaloniki", "GR", 40.64, 22.94),
)
LEGAL_FORMS = {
    "DE": "GmbH", "AT": "GmbH", "CH": "AG", "NL": "B.V.", "BE": "NV", "FR": "SAS", "ES": "S.L.",
    "PT": "Lda.", "IT": "S.r.l.", "CZ": "s.r.o.", "SK": "s.r.o.", "PL": "Sp. z o.o.",
    "HU": "Kft.", "DK": "A/S", "SE": "AB", "LV": "SIA", "LT": "UAB", "SI": "d.o.o.",
    "HR": "d.o.o.", "RO": "S.R.L.", "BG": "EOOD", "GR": "S.A.",
}
NAME_WORDS = ("Alpine", "Baltic", "Nordic", "Atlas", "Rhine", "Danube", "Iberia", "Vistula",
              "Meridian", "Summit", "Harbour", "Continental", "Express", "Union", "Delta",
              "Orbit", "Falcon", "Beacon", "Crown", "Pioneer", "Vector", "Keystone", "Granite")
KIND_WORDS = {
    "carrier": ("Transport", "Haulage", "Freight Lines", "Trucking", "Rail Cargo", "Shipping"),
    "forwarder": ("Forwarding", "Spedition", "Global Logistics"),
    "customs_broker": ("Customs Services", "Zollagentur", "Customs Brokerage"),
    "3pl": ("Contract Logistics", "Fulfilment", "Warehousing"),
    "consolidator": ("Consolidation", "Groupage"),
    "terminal_operator": ("Terminal", "Port Services", "Cargo Handling"),
    "security_provider": ("Security Services", "Guarding", "Telematics"),
    "supplier": ("Components", "Industries", "Trading"),
    "manufacturer": ("Manufacturing", "Works", "Production"),
    "customer": ("Retail", "Wholesale", "Distribution"),
    "other": ("Services", "Holding"),
}
# Partner kinds and their weights: plenty of carriers for the legs.
PARTNER_KINDS = (("carrier", 30), ("forwarder", 10), ("customs_broker", 6), ("3pl", 8),
                 ("consolidator", 3), ("terminal_operator", 5), ("security_provider", 4),
                 ("supplier", 14), ("manufacturer", 8), ("customer", 10), ("other", 2))
SITE_KINDS = (("warehouse", 30), ("cross_dock", 12), ("distribution_centre", 15),
              ("own_facility", 8), ("manufacturing", 6), ("terminal", 6), ("port", 5),
              ("airport", 4), ("border_crossing", 3), ("partner_facility", 8), ("office", 3))
MODES = (("road", 60), ("rail", 12), ("sea", 8), ("air", 6), ("inland_waterway", 5),
         ("postal", 3), ("multimodal", 6))
GOODS = (
    ("Consumer electronics", "very_high", 5, False, ""),
    ("Pharmaceuticals", "very_high", 4, False, ""),
    ("Tobacco products", "high", 5, False, ""),
    ("Spirits", "high", 4, False, ""),
    ("Automotive parts", "medium", 3, False, ""),
    ("Apparel and footwear", "medium", 3, False, ""),
    ("Lithium-ion batteries", "high", 4, True, "UN3480, UN3481"),
    ("General cargo", "low", 2, False, ""),
)
PROGRAMMES = (("aeo_s", ""), ("aeo_f", ""), ("ctpat", "Tier 2"), ("tapa_fsr", "A"),
              ("tapa_tsr", "Level 1"), ("iso_28000", ""))


def weighted(rng, pairs):
    """Pick a value from `(value, weight)` pairs."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True, type=str.upper, choices=sorted(SCALES))
    parser.add_argument("--home", help="CHAINWARD_HOME (default: $CHAINWARD_HOME or ./var)")
    parser.add_argument("--seed", type=int, default=28000, help="random seed (default 28000)")
    parser.add_argument("--password", default=BENCH_PASSWORD,
                        help="password of the benchmark user")
    return parser.parse_args(argv)


def setup_django(home):
    """Point Django at the instance folder, set it up and migrate."""
    if home:
        os.environ["CHAINWARD_HOME"] = str(Path(home).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "chainward.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


class Progress:
    """Counts saved records and prints a line now and then."""

    def __init__(self):
        self.start = time.perf_counter()
        self.records = 0
        self.counts = {}

    def saved(self, label, n=1):
        self.records += n
        self.counts[label] = self.counts.get(label, 0) + n

    def report(self, label, done, total):
        elapsed = time.perf_counter() - self.start
        rate = self.records / elapsed if elapsed else 0.0
        print(f"  {label:<18} {done:>7,}/{total:<7,}  {self.records:>8,} records  "
              f"{elapsed:7.1f} s  {rate:6.0f} rec/s", flush=True)

    @property
    def elapsed(self):
        return time.perf_counter() - self.start


def batched(total, label, progress):
    """Yield ranges of at most BATCH indices of 0..total-1, each in its own transaction whose
    ledger entries are sealed together when it commits (as an import batch's are)."""
    from django.db import transaction

    from chainward.ledger.services import batched_appends

    for start in range(0, total, BATCH):
        stop = min(start + BATCH, total)
        with transaction.atomic(), batched_appends():
            yield range(start, stop)
        progress.report(label, stop, total)


def references(org, model, count):
    """`count` consecutive references of `model` in `org`, reserved at once (as imports do)."""
    from chainward.core.models import ReferenceCounter

    return iter(ReferenceCounter.reserve(org.pk, model.reference_prefix, count))


def build(org_name, scale, rng, password):
    """Create the organisation and its records; returns the Progress tally."""
    from django.db import transaction

    from chainward.access.models import Role, RoleAssignment, User
    from chainward.core import roles
    from chainward.ledger.context import actor_context
    from chainward.supplychain.models import (
        GoodsCategory,
        Leg,
        Organisation,
        Partner,
        ProgrammeStatus,
        Site,
    )

    sizes = SCALES[scale]
    progress = Progress()
    for name, description in roles.BUILTIN_ROLES.items():
        Role.objects.get_or_create(name=name, defaults={"builtin": True,
                                                        "description": description})

    with actor_context(None, name="bench generate", reason=f"benchmark data, scale {scale}"):
        with transaction.atomic():
            org = Organisation(name=org_name, legal_name=f"{org_name} Ltd", country="DE",
                               description=f"Benchmark organisation, scale {scale}.")
            org.save()
            progress.saved("organisation")
            user = User.objects.filter(email=BENCH_EMAIL).first()
            if user is None:
                user = User.objects.create_user(BENCH_EMAIL, password, full_name="Bench User")
            else:
                user.set_password(password)
                user.save()
            assignment = RoleAssignment(organisation=org, user=user,
                                        role=Role.objects.get(name=roles.ADMINISTRATOR),
                                        all_sites=True)
            assignment.save()
            progress.saved("role assignment")
            for name, value_class, appeal, dangerous, un_numbers in GOODS:
                GoodsCategory(organisation=org, name=name, value_class=value_class,
                              theft_attractiveness=appeal, dangerous_goods=dangerous,
                              un_numbers=un_numbers).save()
                progress.saved("goods category")
        progress.report("organisation", 1, 1)

        carriers, operators = [], []
        today = datetime.date.today()
        for chunk in batched(sizes["partners"], "partners", progress):
            partner_refs = references(org, Partner, len(chunk))
            programme_refs = references(
                org, ProgrammeStatus, sum(1 for i in chunk if i % PROGRAMME_SHARE == 0))
            for i in chunk:
                _partner(org, i, rng, today, next(partner_refs), programme_refs, progress,
                         carriers, operators)
        if not carriers:
            raise SystemExit("no carrier among the partners; use another --seed")

        sites = []
        for chunk in batched(sizes["sites"], "sites", progress):
            site_refs = references(org, Site, len(chunk))
            for i in chunk:
                sites.append(_site(org, i, rng, next(site_refs), operators))
                progress.saved("site")

        for chunk in batched(sizes["legs"], "legs", progress):
            leg_refs = references(org, Leg, len(chunk))
            for _ in chunk:
                from_site, to_site = rng.sample(sites, 2)
                Leg(organisation=org, from_site=from_site, to_site=to_site,
                    mode=weighted(rng, MODES), carrier_id=rng.choice(carriers),
                    transit_hours=Decimal(f"{rng.uniform(2, 96):.1f}"),
                    frequency=rng.choice(("daily", "3 per week", "weekly", "on demand")),
                    points_of_rest=rng.choice(("", "Secure parking on the motorway services.")),
                    custody_handoffs=rng.choice(("", "Seal check and signature at the gate.")),
                    reference=next(leg_refs)).save()
                progress.saved("leg")
    return progress


def _partner(org, i, rng, today, reference, programme_refs, progress, carriers, operators):
    """Partner number `i` (and, for one in PROGRAMME_SHARE, its programme status)."""
    from chainward.supplychain.models import Partner, ProgrammeStatus

    city, country, _, _ = rng.choice(CITIES)
    kind = weighted(rng, PARTNER_KINDS)
    name = (f"{rng.choice(NAME_WORDS)} {rng.choice(KIND_WORDS[kind])} {i + 1:05d} "
            f"{LEGAL_FORMS[country]}")
    partner = Partner(
        organisation=org, name=name, kind=kind, country=country, city=city,
        status=weighted(rng, (("active", 85), ("onboarding", 8), ("suspended", 4),
                              ("terminated", 3))),
        criticality=weighted(rng, (("low", 20), ("medium", 45), ("high", 28),
                                   ("critical", 7))),
        registration_number=f"{country}{rng.randrange(10**9, 10**10)}",
        website=f"https://partner{i + 1:05d}.example",
        reference=reference,
    )
    partner.save()
    progress.saved("partner")
    if kind == "carrier":
        carriers.append(partner.pk)
    elif kind in {"terminal_operator", "3pl"} and len(operators) < 500:
        operators.append(partner)
    if i % PROGRAMME_SHARE == 0:
        programme, level = rng.choice(PROGRAMMES)
        valid_from = datetime.date(today.year - rng.randint(0, 3), rng.randint(1, 12), 1)
        valid_until = datetime.date(today.year + rng.randint(-1, 3), rng.randint(1, 12), 28)
        ProgrammeStatus(organisation=org, partner=partner, programme=programme,
                        level=level, identifier=f"{country}{programme.upper()}{i:06d}",
                        issuing_authority=f"{country} customs",
                        valid_from=valid_from, valid_until=valid_until,
                        reference=next(programme_refs)).save()
        progress.saved("programme status")


def _site(org, i, rng, reference, operators):
    """Site number `i`, saved."""
    from chainward.supplychain.models import Site

    city, country, lat, lon = rng.choice(CITIES)
    kind = weighted(rng, SITE_KINDS)
    lat = min(max(lat + rng.uniform(-0.3, 0.3), 36.0), 60.0)
    lon = min(max(lon + rng.uniform(-0.4, 0.4), -9.0), 30.0)
    operator = rng.choice(operators) if operators and kind == "partner_facility" else None
    site = Site(
        organisation=org, name=f"{city} {kind.replace('_', ' ')} {i + 1:04d}",
        code=f"{country}{city[:3].upper()}-{i + 1:04d}", kind=kind,
        address=f"{rng.randint(1, 250)} Logistics Park", city=city,
        postcode=f"{rng.randint(10000, 99999)}", country=country,
        latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lon:.6f}"),
        operator=operator,
        security_level=weighted(rng, (("baseline", 35), ("elevated", 35), ("high", 22),
                                      ("critical", 8))),
        reference=reference,
    )
    site.save()
    return site


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.home)
    from django.conf import settings

    from chainward.ledger.models import LedgerEntry
    from chainward.supplychain.models import Organisation

    org_name = f"Bench Co {args.scale}"
    print(f"Chainward home: {settings.HOME}")
    if Organisation.objects.filter(name=org_name).exists():
        print(f"error: organisation {org_name!r} already exists in {settings.HOME}; "
              "use a fresh --home (generate.py does not add to an existing run).",
              file=sys.stderr)
        return 2
    ledger_before = LedgerEntry.objects.count()
    sizes = SCALES[args.scale]
    print(f"Generating {org_name}: {sizes['sites']:,} sites, {sizes['partners']:,} partners, "
          f"{sizes['legs']:,} legs (seed {args.seed}, commit every {BATCH})", flush=True)
    progress = build(org_name, args.scale, random.Random(args.seed), args.password)
    elapsed = progress.elapsed
    ledger_added = LedgerEntry.objects.count() - ledger_before
    print()
    print("Records saved:")
    for label, number in progress.counts.items():
        print(f"  {label:<18} {number:>8,}")
    print(f"  {'total':<18} {progress.records:>8,}")
    print(f"Ledger entries added: {ledger_added:,}")
    print(f"Elapsed: {elapsed:.1f} s  ({progress.records / elapsed:.0f} records/s)")
    print()
    print(f"Benchmark user: {BENCH_EMAIL}")
    print(f"Password:       {args.password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
