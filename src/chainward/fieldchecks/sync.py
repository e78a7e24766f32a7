"""Check runs recorded offline on a phone and sent when the network returns (issue 15 item 5).

The phone gives each run a UUID; `sync_run` stores the run, its answers, photos and signatures
and completes it through the same services as the run page (`set_answer`, `sign_run`,
`complete_run`: a failed critical item opens its incident or corrective action as online), in
one transaction. A run sent again — the answer was lost on the way back — is found by its
UUID and returned, never stored twice. What changed on the server since the phone saved the
page (the template's items, the person's sites) is a `SyncConflict` with its reason: the phone
keeps the run and shows the reason; nothing is dropped silently.
"""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chainward.core import services as records
from chainward.core.scope import allows
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from . import services
from .choices import SignatureRole
from .models import CheckRun, CheckTemplate

RUN_FIELDS = ("leg", "shipment_reference", "vehicle_registration", "container_number",
              "seal_numbers", "performed_at", "location_consent", "latitude", "longitude",
              "location_accuracy", "notes")


class SyncConflict(Exception):
    """The server no longer accepts the run as the phone recorded it (409, with the reason)."""

    def __init__(self, reason, code):
        super().__init__(reason)
        self.reason, self.code = reason, code


def template_revision(template):
    """A short fingerprint of the template and its items in use: the offline page carries it,
    and a run answered against another revision is a conflict (its items changed)."""
    items = template.items.filter(archived=False).order_by("pk").values_list("pk", "version")
    text = f"{template.pk}:{template.version}:{template.active}:{list(items)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stored_run(user, client_uuid):
    """`(run, mine)`: the run stored under this UUID (None when none) and whether the user may
    see it."""
    run = CheckRun.objects.filter(client_uuid=client_uuid).first()
    if run is None:
        return None, False
    return run, CheckRun.objects.restrict(user, "view").filter(pk=run.pk).exists()


def _already(user, client_uuid):
    run, mine = stored_run(user, client_uuid)
    if run is not None and not mine:
        raise SyncConflict("This offline run id belongs to a run you may not see; the phone "
                           "must give the run a new id.", "foreign_uuid")
    return run


def sync_run(user, *, client_uuid, template_id, revision, site, fields, answers,
             signatures=(), recorded_by=None):
    """`(run, created)`: the offline run stored and completed, or the run already stored
    under `client_uuid`.

    `fields`: the run's own fields (RUN_FIELDS); `answers`: [{"item": id, "outcome": …,
    "photo": upload or None, …}]; `signatures`: [(role, name, png upload)]. Raises
    SyncConflict (template changed or retired, site no longer in the person's scope, saved by
    another person: `recorded_by`, the id of whoever was signed in on the phone),
    ValidationError (what is wrong with the run) or PermissionDenied."""
    client_uuid = uuid.UUID(str(client_uuid))
    existing = _already(user, client_uuid)
    if existing is not None:
        return existing, False
    if recorded_by is not None and recorded_by != user.pk:
        # A shared phone: the run was saved while someone else was signed in. Sent now it
        # would be ledgered as this person's inspection (ISO 28000 7.5: records say who).
        raise SyncConflict("This run was saved on the phone by another person; it can only be "
                           "sent while they are signed in.", "recorded_by")
    template = CheckTemplate.objects.restrict(user, "view").filter(pk=template_id).first()
    if template is None or template.archived or not template.active:
        raise SyncConflict("The check template is no longer in use (or not yours to use); "
                           "record the check again on a current template.", "template")
    if revision != template_revision(template):
        raise SyncConflict(f"The template {template.name} changed after this phone saved it; "
                           "its items are not those answered. Open the check page again and "
                           "record the check on the current template.", "template_changed")
    if site is None or site.organisation_id != template.organisation_id:
        raise ValidationError({"site": "Choose a site of the template's organisation."})
    unknown = set(fields) - set(RUN_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"Not fields of a run: {', '.join(sorted(unknown))}."})
    run = CheckRun(organisation_id=template.organisation_id, template=template, site=site,
                   client_uuid=client_uuid, **fields)
    if not allows(user, "add", run):
        raise SyncConflict(f"You may no longer record checks at {site.name}; the run stays on "
                           "the phone. Ask the security manager to restore your access to the "
                           "site, or record it at a site of yours.", "scope")
    items = {i.pk: i for i in template.items.filter(archived=False)}
    try:
        with acting_as(user), transaction.atomic():
            run.full_clean()
            records.save_record(user, run)
            for data in answers:
                data = dict(data)
                item = items.get(data.pop("item", None))
                if item is None:
                    raise ValidationError({"answers": "An answer names an item that is not in "
                                                      "the template."})
                services.set_answer(user, run, item, **data)
            for role, name, image in signatures:
                if role not in SignatureRole.values:
                    raise ValidationError({"signature": f"No signer {role!r}."})
                services.sign_run(user, run, role=role, name=name, image=image)
            run.refresh_from_db()
            services.complete_run(user, run)
            # Keys that are no field of the run: the history shows them as they are.
            record_event("sync", obj=run, details={"sent_from_phone": str(client_uuid),
                                                   "answered_items": len(answers)})
    except (IntegrityError, ValidationError):
        # The same run sent twice at once: the other request stored it first (its id is
        # refused by full_clean's unique check, or by the database when both got that far).
        existing = _already(user, client_uuid)
        if existing is None:
            raise
        return existing, False
    return run, True

