"""The gatehouse registers (issue 15 item 6; C-TPAT MSC 10 physical access controls, TAPA FSR
access control): who came onto a site and left it, and which keys and badges were handed out
and returned. Both are records of their site, kept by its security officers like the check runs.

Signing a visitor out and taking a key back are services (`services.sign_out_visitor`,
`services.return_key`), so the page's button, the API and the import obey the same rules.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import IdType, KeyKind, VisitorKind
from .models import USER, _own

FUTURE_SLACK = timezone.timedelta(minutes=5)  # a gatehouse clock a little ahead is no error


def _times(instance, start, end, errors, *, what):
    """`end` after `start`, neither in the future."""
    now = timezone.now() + FUTURE_SLACK
    first, last = getattr(instance, start), getattr(instance, end)
    if first and first > now:
        errors[start] = f"The {what} cannot be in the future."
    if last and last > now:
        errors[end] = "This cannot be in the future."
    if first and last and last < first:
        errors[end] = f"This is before the {what}; check both times."


class VisitorLogEntry(PrimaryModel):
    """C-TPAT MSC 10 physical access controls, TAPA FSR access control — one person (visitor,
    driver, contractor) who entered a site: who, from which company, with which vehicle,
    which identity document was seen, who escorted them, why, and when they came and left."""

    reference_prefix = "VIS"

    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="visitor_log", verbose_name="site")
    kind = models.CharField("who", max_length=12, choices=VisitorKind,
                            default=VisitorKind.VISITOR)
    name = models.CharField("name", max_length=200)
    company = models.CharField("company", max_length=200, blank=True)
    vehicle_registration = models.CharField("vehicle registration", max_length=60, blank=True)
    id_checked = models.BooleanField("identity checked", default=False)
    id_type = models.CharField("identity document", max_length=20, choices=IdType,
                               blank=True,
                               help_text="The kind of document seen; its number is not kept.")
    escorted_by = models.CharField("escorted by", max_length=200, blank=True,
                                   help_text="Leave empty when the person was not escorted.")
    purpose = models.CharField("purpose of the visit", max_length=300, blank=True)
    time_in = models.DateTimeField("time in", default=timezone.now)
    time_out = models.DateTimeField("time out", null=True, blank=True,
                                    help_text="Set by \"Sign out\" at the gate, or entered "
                                              "from a paper log.")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-time_in", "-pk")
        verbose_name = "visitor log entry"
        verbose_name_plural = "visitor log"
        indexes = [models.Index(fields=("organisation", "archived", "time_in"),
                                name="fieldchecks_visitor_register")]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name

    @property
    def on_site(self):
        return self.time_out is None

    def clean(self):
        super().clean()
        errors = {}
        _own(self, "site", errors)
        if self.id_checked and not self.id_type:
            errors["id_type"] = "Say which identity document was checked."
        if self.id_type and not self.id_checked:
            errors["id_checked"] = "Tick \"identity checked\" or leave the document empty."
        _times(self, "time_in", "time_out", errors, what="time in")
        if errors:
            raise ValidationError(errors)


class KeyIssue(PrimaryModel):
    """C-TPAT MSC 10 / TAPA FSR key and access-device control — one key, badge or card handed out
    at a site: to whom, by whom, when, and when it came back."""

    reference_prefix = "KEY"

    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="key_issues", verbose_name="site")
    kind = models.CharField("what", max_length=8, choices=KeyKind, default=KeyKind.KEY)
    key_id = models.CharField("key or badge number", max_length=100,
                              help_text="As marked on the key tag or printed on the badge.")
    issued_to = models.CharField("issued to", max_length=200)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="issued by",
                                  help_text="Leave empty when you issued it yourself.")
    issued_at = models.DateTimeField("issued at", default=timezone.now)
    returned_at = models.DateTimeField("returned at", null=True, blank=True,
                                       help_text="Set by \"Returned\" at the gate, or "
                                                 "entered from a paper log.")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-issued_at", "-pk")
        verbose_name = "key or badge issue"
        verbose_name_plural = "key and badge log"

    def __str__(self):
        return f"{self.get_kind_display()} {self.key_id} — {self.issued_to}"

    @property
    def is_out(self):
        return self.returned_at is None

    def save(self, *args, **kwargs):
        # "Issued by" defaults to the person recording it (save_record sets created_by first).
        if self.issued_by_id is None and self.created_by_id is not None:
            self.issued_by_id = self.created_by_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        _own(self, "site", errors)
        _times(self, "issued_at", "returned_at", errors, what="issue")
        if errors:
            raise ValidationError(errors)


# Records of the site where the gate is, kept like the site's check runs.
register(VisitorLogEntry, site_paths=("site_id",), roles=roles.SITE_RECORD)
register(KeyIssue, site_paths=("site_id",), roles=roles.SITE_RECORD)
