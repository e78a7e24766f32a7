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
              "reports_to", "required_competences")
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
