"""Catalogue libraries loaded from data files: frameworks, requirement trees, mappings and the
other catalogue objects (threat scenarios, controls, risk matrices, document types, checklists).

Shipped libraries are shared by every organisation; a custom library (a customer's supplier
requirements, a TAPA member's licensed checklist) belongs to one organisation.
"""

from django.db import models


class Library(models.Model):
    """One loaded catalogue file: its identity, version, licence note and checksum."""

    urn = models.CharField("URN", max_length=200, unique=True)
    name = models.CharField("name", max_length=300)
    version = models.PositiveIntegerField("version")
    publisher = models.CharField("publisher", max_length=200, blank=True)
    licence = models.TextField("licence note")
    source = models.TextField("source", blank=True)
    description = models.TextField("description", blank=True)
    dependencies = models.JSONField("dependencies", default=list, blank=True)
    checksum = models.CharField("SHA-256 of the file", max_length=64)
    filename = models.CharField("file", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "supplychain.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="libraries", help_text="Empty for shipped libraries shared by everyone.")
    loaded_at = models.DateTimeField("loaded", auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "libraries"

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Framework(models.Model):
    """A requirement set: ISO 28000:2022, C-TPAT MSC, the EU AEO questionnaire…"""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="frameworks")
    urn = models.CharField("URN", max_length=200, unique=True)
    ref_id = models.CharField("reference", max_length=100)
    name = models.CharField("name", max_length=300)
    description = models.TextField("description", blank=True)
    extra = models.JSONField("further data", default=dict, blank=True)
    # Declared per framework in its catalogue file (issue 12): ISO management-system standards
    # apply every requirement within the scope, so "not applicable" is refused there and
    # readiness counts it against the total; programmes answered per business model (C-TPAT
    # criteria tables, the EU AEO questionnaire, TAPA levels and waivers) allow it with a
    # justification. A file that does not declare it is read strictly.
    allows_exclusions = models.BooleanField(
        "allows exclusions", default=False,
        help_text="Whether a requirement may be marked not applicable (with a justification).")
    retired = models.BooleanField("retired", default=False)

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.ref_id or self.name

    @property
    def exclusions_note(self) -> str:
        """Why the framework does or does not allow exclusions (from its catalogue file)."""
        return str((self.extra or {}).get("exclusions_note") or "")


class DocumentedInformation(models.TextChoices):
    """ISO 28000 documented information: maintained (documents) or retained (records)."""

    MAINTAIN = "M", "Maintain (document)"
    RETAIN = "R", "Retain (record)"
    IMPLIED = "I", "Implied (auditors expect it)"


class Requirement(models.Model):
    """One node of a framework's tree: a clause, sub-clause, criterion or question."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT,
                                  related_name="requirements")
    urn = models.CharField("URN", max_length=200, unique=True)
    ref_id = models.CharField("reference", max_length=60)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children")
    depth = models.PositiveSmallIntegerField("depth")
    order = models.PositiveIntegerField("order")
    # The depth-1 and depth-2 ancestors (or the node itself): readiness is grouped by them.
    section = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="section")
    clause = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name="clause")
    title = models.CharField("title", max_length=300)
    paraphrase = models.TextField("paraphrase", blank=True)
    assessable = models.BooleanField("assessable", default=True)
    documented_information = models.CharField(
        "documented information", max_length=1, choices=DocumentedInformation, blank=True)
    evidence_examples = models.JSONField("evidence examples", default=list, blank=True)
    hs_id = models.CharField("Harmonized-Structure id", max_length=60, blank=True,
                             db_index=True)
    tags = models.JSONField("tags", default=list, blank=True)
    flag = models.CharField("must / should", max_length=10, blank=True)
    needs_check = models.BooleanField("needs checking", default=False)
    extra = models.JSONField("further data", default=dict, blank=True)
    retired = models.BooleanField(
        "retired", default=False,
        help_text="Removed by a newer library version; kept so existing assessments stay whole.")

    class Meta:
        ordering = ("framework", "order")
        indexes = [models.Index(fields=("framework", "order"), name="library_req_order")]

    def __str__(self):
        return f"{self.ref_id} {self.title}"


class Relationship(models.TextChoices):
    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset"
    SUPERSET = "superset", "Superset"
    INTERSECT = "intersect", "Intersect"
    RELATED = "related", "Related"


class RequirementMapping(models.Model):
    """How a requirement of one framework relates to one of another (evidence reuse)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="mappings")
    mapping_urn = models.CharField("mapping URN", max_length=200)
    source = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="mapped_to")
    target = models.ForeignKey(Requirement, on_delete=models.PROTECT,
                               related_name="mapped_from")
    relationship = models.CharField("relationship", max_length=10, choices=Relationship)
    retired = models.BooleanField("retired", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("mapping_urn", "source", "target"),
                                    name="library_mapping_unique",
                                    violation_error_message="This mapping entry exists."),
        ]

    def __str__(self):
        return f"{self.source.urn} {self.relationship} {self.target.urn}"


class EntryKind(models.TextChoices):
    THREAT_SCENARIO = "threat_scenario", "Threat scenario"
    THREAT_CATEGORY = "threat_category", "Threat category"
    REFERENCE_CONTROL = "reference_control", "Reference countermeasure"
    RISK_MATRIX = "risk_matrix", "Risk matrix"
    DOCUMENT_TYPE = "document_type", "Document type"
    CHECKLIST_TEMPLATE = "checklist_template", "Checklist template"
    WORKFLOW_STEP = "workflow_step", "Workflow step"


class CatalogEntry(models.Model):
    """Any other catalogue object, kept whole as data (the apps that use it read `data`)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("kind", max_length=20, choices=EntryKind)
    urn = models.CharField("URN", max_length=200, unique=True)
    ref_id = models.CharField("reference", max_length=100, blank=True)
    name = models.CharField("name", max_length=300)
    order = models.PositiveIntegerField("order")
    data = models.JSONField("data")
    retired = models.BooleanField("retired", default=False)

    class Meta:
        ordering = ("kind", "order")
        verbose_name_plural = "catalogue entries"

    def __str__(self):
        return f"{self.ref_id} {self.name}".strip()
