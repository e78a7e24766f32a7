"""What threat scenarios are rated against (ISO 28001 5.3): the sites, legs and partners of the
supply chain, and the organisation's own processes, information flows and IT systems.

Decisions:

* `Process` is organisation-scoped reference data of the risk app (not of the supply chain): it
  exists so that scenarios aimed at how the chain is run — ransomware against the transport
  management system, leaked route plans, forged documents — can be rated like a site or a leg.
  Its sites say where it runs; they place it for access (a site officer keeps the processes of
  their sites) and for the assessment scope (see `scope`). No sites: it serves the whole
  organisation (a central IT system).
* A scenario "can affect" the target kinds its catalogue entry lists (threats.yaml `targets`:
  node, leg, partner, process); a scenario of the organisation's own, or a catalogue entry that
  lists none, can affect every kind.
"""

from django.conf import settings
from django.db import models

from chainward.core.models import PrimaryModel

from .choices import ProcessKind

# The rating field each target kind is stored in, in the order pairs are listed.
TARGET_KINDS = ("site", "leg", "partner", "process")
# threats.yaml `targets` words -> target kind ("node" is a site of the supply-chain model).
SCENARIO_TARGETS = {"node": "site", "leg": "leg", "partner": "partner", "process": "process"}


class Process(PrimaryModel):
    """ISO 28000 8.2 / ISO 28001 5.3: a process, information flow or IT system that threat
    scenarios are rated against (e.g. the transport management system, customs declarations)."""

    reference_prefix = "PRC"

    name = models.CharField("name", max_length=200)
    kind = models.CharField("kind", max_length=20, choices=ProcessKind,
                            default=ProcessKind.PROCESS)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="risk_processes", verbose_name="owner")
    description = models.TextField(
        "description", blank=True,
        help_text="What it does, which data or goods it handles, who operates it.")
    sites = models.ManyToManyField(
        "supplychain.Site", blank=True, related_name="risk_processes",
        verbose_name="runs at",
        help_text="Sites where it runs or is used. Leave empty when it serves the whole "
                  "organisation (a central IT system): it is then in the scope of every "
                  "assessment.")

    class Meta:
        ordering = ("name",)
        verbose_name = "process or information flow"
        verbose_name_plural = "processes and information flows"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="risk_process_unique_name",
                                    violation_error_message="A process with this name already "
                                    "exists."),
        ]

    def __str__(self):
        return self.name


def target_label(kind, target):
    """How a target is named in lists and messages: "site S1", "leg LEG-0003", …"""
    if kind == "site":
        return f"site {target.code or target.name}"
    if kind == "leg":
        return f"leg {target.reference}"
    return f"{kind} {target.name}"


def scenario_kinds(applicability):
    """The target kinds `applicability`'s scenario can affect (every kind when it names none)."""
    words = applicability.scenario.data.get("targets") if applicability.scenario_id else None
    kinds = {SCENARIO_TARGETS[w] for w in words or () if w in SCENARIO_TARGETS}
    return [k for k in TARGET_KINDS if k in kinds] or list(TARGET_KINDS)


class Target(models.Model):
    """Exactly one of site, leg, partner or process: what a measure or a rating concerns."""

    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site")
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="+", verbose_name="leg")
    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name="partner")
    process = models.ForeignKey(Process, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="process or information flow")

    class Meta:
        abstract = True

    @property
    def target_kind(self):
        return next((k for k in TARGET_KINDS if getattr(self, f"{k}_id")), None)

    @property
    def target(self):
        kind = self.target_kind
        return getattr(self, kind) if kind else None

    @property
    def target_key(self):
        """`(kind, id)`: the target as completeness compares it."""
        kind = self.target_kind
        return (kind, getattr(self, f"{kind}_id")) if kind else None

    @property
    def target_label(self):
        kind = self.target_kind
        return target_label(kind, self.target) if kind else "no target"

    def target_errors(self):
        chosen = [k for k in TARGET_KINDS if getattr(self, f"{k}_id")]
        if len(chosen) != 1:
            message = "Choose exactly one target: a site, a leg, a partner or a process."
            return {n: message for n in (chosen or ["site"])}
        org = getattr(self, "organisation_id", None)
        if org and self.target.organisation_id != org:
            return {chosen[0]: "Choose a record of this organisation."}
        return {}
