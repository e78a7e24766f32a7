"""The ABC Logistics demo: a mid-size logistics company's supply chain, loaded from `demo.yaml`.

Records are found by natural keys, created when missing and saved again only when the data file
differs, so a second run writes nothing; dates relative to today are set on creation only.
Every record goes through `core.services.save_record` as the demo administrator (partner
reviews through `services.record_partner_review`), so the register rules and the ledger hold
for the demo too. Two writes bootstrap that path, as `services.create_organisation` and a
founding invitation do: the organisation and the administrator's own Administrator role.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from chainward.access.models import Role, RoleAssignment, User
from chainward.access.services import check_scope
from chainward.core import roles, yamlfiles
from chainward.core.services import save_record

from . import choices, services
from . import models as m

DATA = yamlfiles.safe_load(Path(__file__).with_name("demo.yaml").read_text(encoding="utf-8"))
ORGANISATION = DATA["organisation"]
CERTIFIED_MONTHS_AGO = DATA["certified_months_ago"]
ADMIN_EMAIL, ADMIN_NAME = DATA["administrator"]["email"], DATA["administrator"]["name"]
DOMAIN = ADMIN_EMAIL.split("@")[1]
# (e-mail local part, full name, role, site codes or () for the whole organisation)
PEOPLE = tuple((p["user"], p["name"], p["role"], tuple(p["sites"])) for p in DATA["people"])
# ABC Logistics' own facilities (no operator): what its internal audits visit and its ISO 28000
# certificate covers.
OWN_SITE_KINDS = ("warehouse", "cross_dock", "distribution_centre")
OWN_SITES = tuple(site["code"] for site in DATA["sites"]
                  if site["kind"] in OWN_SITE_KINDS and not site.get("operator"))
SOA = {key: DATA["statement_of_application"][key]
       for key in ("title", "status", "coverage", "processes")}


class Tally:
    """How many records the run created, updated and left alone."""

    def __init__(self):
        self.created = self.updated = self.unchanged = 0

    def count(self, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)


def _days(offset):
    return None if offset is None else timezone.localdate() + datetime.timedelta(days=offset)


def _differs(obj, name, value):
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def sync(user, model, lookup, fields, tally, *, create_only=None, m2m=None, create=None):
    """Find a record by `lookup`; create it (through `create(fields)` when given), or save it
    only when `fields` or `m2m` differ — through `save_record` as `user` either way."""
    obj = model._base_manager.filter(**lookup).first()
    if obj is None:
        tally.count("created")
        if create is not None:
            return create({**lookup, **fields, **(create_only or {})})
        obj = model(**lookup, **fields, **(create_only or {}))
        obj.full_clean(exclude=["reference"])
        return save_record(user, obj, relations=m2m)
    changed = {name: value for name, value in fields.items() if _differs(obj, name, value)}
    relinked = {name: targets for name, targets in (m2m or {}).items()
                if set(getattr(obj, name).values_list("pk", flat=True))
                != {target.pk for target in targets}}
    if not changed and not relinked:
        tally.count("unchanged")
        return obj
    for name, value in changed.items():
        setattr(obj, name, value)
    obj.full_clean(exclude=["reference"])
    tally.count("updated")
    return save_record(user, obj, relations=relinked)


def ensure_organisation(tally):
    """The ABC Logistics organisation, saved directly as `services.create_organisation` saves
    it (bootstrap: nobody holds a role there yet)."""
    org = m.Organisation._base_manager.filter(name=ORGANISATION["name"]).first()
    if org is not None and not any(_differs(org, k, v) for k, v in ORGANISATION.items()):
        tally.count("unchanged")
        return org
    if org is None:
        org, outcome = m.Organisation(), "created"
    else:
        org.version, org.updated_by, org.updated_at = org.version + 1, None, timezone.now()
        outcome = "updated"
    for name, value in ORGANISATION.items():
        setattr(org, name, value)
    org.full_clean(exclude=["reference"])
    org.save()
    tally.count(outcome)
    return org


def ensure_admin():
    """The demo administrator; returns `(user, password)` with the password only when created."""
    user = User.objects.filter(email=ADMIN_EMAIL).first()
    if user is not None:
        return user, None
    from secrets import token_urlsafe

    password = token_urlsafe(12)
    user = User.objects.create_user(ADMIN_EMAIL, password, full_name=ADMIN_NAME)
    return user, password


def ensure_admin_authenticator(user):
    """Administrators use two-step sign-in (issue 18): the demo administrator gets an
    authenticator key and recovery codes, returned once as `(key, otpauth_url, codes)`; None
    when it has set one up already."""
    from chainward.access import mfa

    if mfa.has_two_step(user):
        return None
    device, codes = mfa.issue_authenticator(user)
    return mfa.secret_text(device), device.config_url, codes


def _found(org, admin_user, tally):
    """The administrator's own Administrator role, written as a founding invitation writes it
    (`save_record` could not: nobody may add people to the organisation yet); left alone once
    it exists (the organisation's administrators manage it from then on)."""
    lookup = {"organisation": org, "user": admin_user,
              "role": Role.objects.get(name=roles.ADMINISTRATOR)}
    if RoleAssignment._base_manager.filter(**lookup).exists():
        return tally.count("unchanged")
    assignment = RoleAssignment(**lookup, all_sites=True)
    assignment.full_clean(exclude=["reference"])
    assignment.save()
    check_scope(assignment)
    admin_user.__dict__.pop("_chainward_scope", None)  # the role counts from now on
    tally.count("created")


def _people(org, admin_user, sites, tally):
    for local, full_name, role_name, codes in PEOPLE:
        user = User.objects.filter(email=f"{local}@{DOMAIN}").first()
        if user is None:
            user = User(email=f"{local}@{DOMAIN}", full_name=full_name)
            user.set_unusable_password()
            user.save()
        until = _days(DATA["external_auditor_days"]) if role_name == roles.EXTERNAL_AUDITOR \
            else None
        sync(admin_user, RoleAssignment, {"organisation": org, "user": user,
                                          "role": Role.objects.get(name=role_name)},
             {"all_sites": not codes}, tally, create_only={"valid_until": until} if until
             else None, m2m={"sites": [sites[code] for code in codes]})
    return 1 + len(PEOPLE)


def build_demo(organisation, admin_user):
    """Create (or bring in line) the whole demo for `organisation`; returns counts and a Tally."""
    org, admin, tally, owned = organisation, admin_user, Tally(), {"organisation": organisation}
    _found(org, admin, tally)
    goods = {key: sync(admin, m.GoodsCategory, {**owned, "name": spec["name"]}, {
        "un_numbers": "", **{k: v for k, v in spec.items() if k != "name"}}, tally)
        for key, spec in DATA["goods"].items()}
    partners = {spec["name"]: sync(admin, m.Partner, {**owned, "name": spec["name"]}, {
        "registration_number": "", "notes": "", **{k: v for k, v in spec.items() if k != "name"}},
        tally) for spec in DATA["partners"]}
    for spec in DATA["contacts"]:
        sync(admin, m.PartnerContact, {**owned, "partner": partners[spec["partner"]],
                                       "name": spec["name"]},
             {k: spec[k] for k in ("title", "email", "phone", "security_contact")}, tally)
    programmes = {(spec["partner"], spec["programme"]): sync(
        admin, m.ProgrammeStatus, {**owned, "partner": partners[spec["partner"]],
                                   "programme": spec["programme"]},
        {"identifier": spec["identifier"], "level": spec.get("level", ""),
         "issuing_authority": spec["issuing_authority"], "notes": spec.get("notes", "")}, tally,
        create_only={k: _days(spec.get(k)) for k in ("valid_from", "valid_until", "verified_on")})
        for spec in DATA["programmes"]}
    sites = {spec["code"]: sync(admin, m.Site, {**owned, "code": spec["code"]}, {
        **{k: v for k, v in spec.items() if k not in ("code", "goods")},
        "latitude": Decimal(spec["latitude"]), "longitude": Decimal(spec["longitude"]),
        "operator": partners[spec["operator"]] if spec.get("operator") else None}, tally,
        m2m={"goods_categories": [goods[key] for key in spec["goods"]]})
        for spec in DATA["sites"]}
    legs = [sync(admin, m.Leg, {**owned, "from_site": sites[spec["from"]],
                                "to_site": sites[spec["to"]], "mode": spec["mode"]}, {
        "carrier": partners[spec["carrier"]], "transit_hours": Decimal(str(spec["transit_hours"])),
        **{k: spec[k] for k in ("frequency", "points_of_rest", "custody_handoffs")}}, tally,
        m2m={"goods_categories": [goods[key] for key in spec["goods"]]}) for spec in DATA["legs"]]

    soa = DATA["statement_of_application"]
    covered_sites = [s for code, s in sites.items() if code not in soa["excluded_sites"]]
    covered_partners = [p for p in partners.values() if p.country in soa["countries"]
                        and p.status == choices.PartnerStatus.ACTIVE]
    covered_legs = [leg for leg in legs if leg.from_site in covered_sites
                    and leg.to_site in covered_sites and leg.carrier in covered_partners]
    statement = sync(admin, m.StatementOfApplication, {**owned, "title": SOA["title"]},
                     {k: v for k, v in SOA.items() if k != "title"}, tally,
                     create_only={"effective_date": _days(soa["effective_date"])},
                     m2m={"sites": covered_sites, "legs": covered_legs,
                          "partners": covered_partners})
    for spec in DATA["exemptions"]:
        status = programmes[spec["partner"], spec["programme"]]
        sync(admin, m.Exemption, {**owned, "statement": statement,
                                  "partner": partners[spec["partner"]]}, {
            "programme_status": status, "basis": spec["basis"], "certificate": status.identifier,
            "evidence": spec["evidence"]}, tally,
            create_only={"valid_until": _days(spec["valid_until"])})
    for spec in DATA["reviews"]:  # ISO 28001 4.5, recorded through the service
        sync(admin, m.PartnerReview, {**owned, "partner": partners[spec["partner"]],
                                      "method": spec["method"]},
             {k: spec[k] for k in ("outcome", "reviewer", "findings")}, tally,
             create_only={"reviewed_on": _days(spec["reviewed_on"])},
             create=lambda fields: services.record_partner_review(admin, **{
                 k: v for k, v in fields.items() if k != "organisation"}))
    counts = {"sites": len(sites), "goods categories": len(goods), "partners": len(partners),
              "contacts": len(DATA["contacts"]), "programme statuses": len(programmes),
              "legs": len(legs), "exemptions": len(DATA["exemptions"]),
              "partner reviews": len(DATA["reviews"]), "people": _people(org, admin, sites, tally)}
    return counts, tally
