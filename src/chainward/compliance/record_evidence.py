"""Chainward's own registers offered as candidate evidence in the gap assessment.

The same reuse the workspace offers across standards (evidence given for a related requirement
elsewhere, `views.candidates_by_row`), for records kept in Chainward itself: an app declares
which requirements (by catalogue URN) one of its registers evidences —

    offer_register(["urn:chainward:req:iso28000-2022:4.2.2"], Obligation,
                   "Legal and other requirements register")

— and a requirement row offers that register when the assessor may see records of it. Taking
the offer attaches one note evidence per register and organisation (created once, reused for
every requirement and framework afterwards, so the cross-standard reuse then offers it too).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chainward.core import services as records
from chainward.core.registry import get_register
from chainward.documents.models import Evidence, EvidenceKind

from . import services
from .evidence import attached_evidence


@dataclass(frozen=True)
class Offer:
    """A register that evidences some requirements."""

    key: str  # app_label.modelname
    model: type
    title: str
    url_name: str  # the page the evidence links to (the register's list by default)


_offers: dict[str, list[Offer]] = {}  # requirement URN -> offers
_by_key: dict[str, Offer] = {}


def offer_register(urns, model, title, url_name=None):
    """Declare `model`'s register as candidate evidence of the requirements `urns`."""
    meta = model._meta
    offer = Offer(f"{meta.app_label}.{meta.model_name}", model, title,
                  url_name or f"{meta.app_label}:{meta.model_name}_list")
    _by_key[offer.key] = offer
    for urn in urns:
        _offers.setdefault(urn, []).append(offer)


def evidence_title(offer):
    """The title of the note evidence that stands for the register."""
    return f"{offer.title} (Chainward register)"


def offers_by_row(user, rows):
    """{row pk: [(offer, number of records the user sees)]}, leaving out a register already
    attached to the row — one count per offered register, whatever the number of rows."""
    if not rows:
        return {}
    organisation = rows[0].organisation_id
    counts = {}
    result = {}
    for row in rows:
        found = []
        taken = {e.title for e in attached_evidence(user, row) if e.kind == EvidenceKind.NOTE}
        for offer in _offers.get(row.requirement.urn, ()):
            if evidence_title(offer) in taken:
                continue
            if offer.key not in counts:
                counts[offer.key] = offer.model.objects.restrict(user, "view").filter(
                    organisation_id=organisation, archived=False).count()
            if counts[offer.key]:
                found.append((offer, counts[offer.key]))
        result[row.pk] = found
    return result


def attach_register(user, row, key):
    """Attach the register `key` to the requirement row as evidence: a note naming the
    register and its page (one per register and organisation, created on first use)."""
    offer = _by_key.get(key)
    if offer is None or offer not in _offers.get(row.requirement.urn, ()):
        raise PermissionDenied("That register is not offered for this requirement.")
    if not offer.model.objects.restrict(user, "view").filter(
            organisation=row.organisation, archived=False).exists():
        raise PermissionDenied("You cannot see that register.")
    title = evidence_title(offer)
    evidence = Evidence.objects.restrict(user, "view").filter(
        organisation=row.organisation, kind=EvidenceKind.NOTE, title=title,
        archived=False).first()
    if evidence is None:
        evidence = Evidence(organisation=row.organisation, kind=EvidenceKind.NOTE, title=title,
                            description=f"The {get_register(offer.model).verbose_name_plural} "
                                        f"kept in Chainward: {reverse(offer.url_name)}")
        evidence.full_clean(exclude=["reference"])
        records.save_record(user, evidence)
    services.attach_evidence(user, row, evidence)
    return evidence
