"""Register declarations of the people app: people, security roles and appointments,
competence requirements and training records (ISO 28000 5.3, 7.2)."""

from chainward.context.registers import GROUP
from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register

from . import filtersets, models, services


@add_register
class PersonRegister(Register):
    model = models.Person
    url_prefix = "people"
    menu_group = GROUP
    columns = ("full_name", "job_title", Column("site", sort="site__name"), "employee_number",
               "left_on")
    filterset_class = filtersets.PersonFilterSet
    fields = ("full_name", "employee_number", "job_title", "site", "user", "email",
              "joined_on", "left_on")
    select_related = ("site",)
    import_required = ("full_name",)
    import_lookups = {"site": "code", "user": "email"}

    def after_save(self, user, obj, created):
        """Training records follow a person who moves site (every path)."""
        if not created:
            services.sync_sites(user, obj)


@add_register
class SecurityRoleRegister(Register):
    model = models.SecurityRole
    url_prefix = "roles"
    menu_group = GROUP
    columns = ("name", "kind", Column("site", sort="site__name"), "positions")
    filterset_class = filtersets.SecurityRoleFilterSet
    fields = ("name", "kind", "site", "responsibilities", "authorities", "positions",
              "reports_to", "screening_required", "required_competences")
    select_related = ("site",)
    import_required = ("name", "kind", "responsibilities")
    import_lookups = {"site": "code", "reports_to": "name", "required_competences": "name"}

    def after_save(self, user, obj, created):
        """Appointments follow a role that moves site (every path)."""
        if not created:
            services.sync_sites(user, obj)


@add_register
class AppointmentRegister(Register):
    model = models.Appointment
    url_prefix = "appointments"
    menu_group = GROUP
    columns = (Column("role", sort="role__name"), Column("person", sort="person__full_name"),
               "since", "until", Column("site", sort="site__name"))
    export_columns = ("reference", "role", "person", "since", "until", "site", "document",
                      "notes")
    filterset_class = filtersets.AppointmentFilterSet
    fields = ("role", "person", "since", "until", "document", "notes", "site")
    read_only_fields = ("site",)  # the role's, copied
    select_related = ("role", "person", "site")
    import_required = ("role", "person", "since")
    import_lookups = {"role": "name", "person": "employee_number"}


@add_register
class CompetenceRequirementRegister(Register):
    model = models.CompetenceRequirement
    url_prefix = "competences"
    menu_group = GROUP
    menu_label = "Competence requirements"
    columns = ("name", "validity_months", "basis")
    filterset_class = filtersets.CompetenceRequirementFilterSet
    fields = ("name", "description", "validity_months", "basis")
    import_required = ("name",)


@add_register
class TrainingRecordRegister(Register):
    model = models.TrainingRecord
    url_prefix = "training"
    menu_group = GROUP
    columns = (Column("person", sort="person__full_name"),
               Column("requirement", sort="requirement__name"), "completed_on", "result",
               "expires_on", Column("site", sort="site__name"))
    export_columns = ("reference", "person", "requirement", "course", "provider",
                      "completed_on", "duration_hours", "result", "expires_on", "site")
    filterset_class = filtersets.TrainingRecordFilterSet
    fields = ("person", "requirement", "course", "provider", "completed_on", "duration_hours",
              "result", "expires_on", "certificate", "notes", "site")
    read_only_fields = ("site",)  # the person's, copied
    api_extra_fields = ("is_expired",)
    select_related = ("person", "requirement", "site")
    import_required = ("person", "requirement", "course", "completed_on")
    import_lookups = {"person": "employee_number", "requirement": "name"}


@add_register
class ScreeningRecordRegister(Register):
    """Personnel screening: only the security manager and top management ever reach it (the
    registration's role row); no free-text details, by design."""

    model = models.ScreeningRecord
    url_prefix = "screening"
    menu_group = GROUP
    menu_label = "Personnel screening"
    columns = (Column("person", sort="person__full_name"), "checked_on", "result", "next_due",
               Column("site", sort="site__name"))
    export_columns = ("reference", "person", "checked_on", "checked_by", "result", "next_due",
                      "lawful_basis", "retention_months", "site")
    filterset_class = filtersets.ScreeningRecordFilterSet
    fields = ("person", "checked_on", "checked_by", "result", "next_due", "lawful_basis",
              "retention_months", "site")
    read_only_fields = ("site",)  # the person's, copied
    api_extra_fields = ("erase_after",)
    select_related = ("person", "site")
    import_required = ("person", "checked_on", "checked_by", "result", "lawful_basis")
    import_lookups = {"person": "employee_number"}


@add_register
class AwarenessCampaignRegister(Register):
    model = models.AwarenessCampaign
    url_prefix = "awareness"
    menu_group = GROUP
    menu_label = "Awareness campaigns"
    columns = ("topic", Column("material", sort="material__reference"), "starts_on", "due_on")
    filterset_class = filtersets.AwarenessCampaignFilterSet
    fields = ("topic", "messages", "material", "audience_roles", "sites", "starts_on",
              "due_on")
    select_related = ("material",)
    detail_template = "people/awarenesscampaign_detail.html"
    import_required = ("topic", "material", "due_on")
    import_lookups = {"material": "reference", "audience_roles": "name", "sites": "code"}

    def detail_context(self, obj, request):
        """Completion per site (ISO 28000 7.3), counted through the documents'
        acknowledgements of the material's approved version."""
        progress = services.campaign_progress([obj])[0]
        return {"progress": progress,
                "owed": progress.version is not None and
                request.user.pk in progress.pending_user_ids}


PersonRegister.related_panels = (
    RelatedPanel("Security roles held", AppointmentRegister, "person", add_field="person"),
    RelatedPanel("Training records", TrainingRecordRegister, "person", add_field="person"),
)
SecurityRoleRegister.related_panels = (
    RelatedPanel("Appointments", AppointmentRegister, "role", add_field="role"),
)
CompetenceRequirementRegister.related_panels = (
    RelatedPanel("Training records", TrainingRecordRegister, "requirement",
                 add_field="requirement"),
)
