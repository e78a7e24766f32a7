"""Register declarations of the people app: people, security roles and appointments,
competence requirements, training courses, sessions and their attendance, and training records
(ISO 28000 5.3, 7.2)."""

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
              "result", "expires_on", "certificate", "notes", "attendance", "site")
    # The person's site, copied; the session attendance that wrote it (services.train_attendee).
    read_only_fields = ("attendance", "site")
    api_extra_fields = ("is_expired",)
    select_related = ("person", "requirement", "site")
    import_required = ("person", "requirement", "course", "completed_on")
    import_lookups = {"person": "employee_number", "requirement": "name"}


@add_register
class TrainingCourseRegister(Register):
    model = models.TrainingCourse
    url_prefix = "courses"
    menu_group = GROUP
    menu_label = "Training courses"
    columns = ("title", "provider", "duration_hours", "validity_months",
               Column("material", sort="material__reference"))
    filterset_class = filtersets.TrainingCourseFilterSet
    fields = ("title", "provider", "requirements", "duration_hours", "validity_months",
              "material", "description")
    select_related = ("material",)
    import_required = ("title", "requirements")
    import_lookups = {"requirements": "name", "material": "reference"}

    def empty_note(self):
        """A session's empty course picker says what a course needs."""
        return {"text": "No training course yet: a course names the competences it "
                        "satisfies, so first make sure those competence requirements exist.",
                "link": "Add a training course"}


@add_register
class TrainingSessionRegister(Register):
    model = models.TrainingSession
    url_prefix = "sessions"
    menu_group = GROUP
    menu_label = "Training sessions"
    columns = (Column("course", sort="course__title"), "held_on", "trainer",
               Column("site", sort="site__name"))
    filterset_class = filtersets.TrainingSessionFilterSet
    fields = ("course", "held_on", "trainer", "site", "notes")
    select_related = ("course", "site")
    import_required = ("course", "held_on")
    import_lookups = {"course": "title", "site": "code"}

    def empty_note(self):
        """An attendance's empty session picker leads to recording the session first."""
        return {"text": "No training session yet: record the session (course, date, "
                        "trainer) before its attendance.",
                "link": "Record a training session"}

    detail_template = "people/trainingsession_detail.html"

    def detail_context(self, obj, request):
        """Whether the reader may record attendees here (several at once)."""
        return {"can_record": not obj.archived and
                request.user.has_perm("people.add_sessionattendance")}

    def after_save(self, user, obj, created):
        """The attendees' training records follow a session whose date, course or trainer
        changes (every path)."""
        if not created:
            services.retrain_session(user, obj)


@add_register
class SessionAttendanceRegister(Register):
    """Who attended a session and how; saving one writes the attendee's training records
    (`services.train_attendee`) whatever the path: form, API, import, demo."""

    model = models.SessionAttendance
    url_prefix = "attendance"
    menu_group = GROUP
    menu_label = "Session attendance"
    columns = (Column("person", sort="person__full_name"),
               Column("session", sort="session__held_on"), "result",
               Column("site", sort="site__name"))
    export_columns = ("reference", "session", "person", "result", "notes", "site")
    filterset_class = filtersets.SessionAttendanceFilterSet
    fields = ("session", "person", "result", "notes", "site")
    read_only_fields = ("site",)  # the person's, copied
    select_related = ("person", "session__course", "site")
    import_required = ("session", "person", "result")
    import_lookups = {"session": "reference", "person": "employee_number"}

    def after_save(self, user, obj, created):
        """A pass gives the attendee a training record of each competence the course
        satisfies (ISO 28000 7.2)."""
        services.train_attendee(user, obj)

    def after_archive(self, user, obj, archived):
        """An attendance archived (recorded in error) withdraws the training records it gave;
        restored, it gives them back."""
        services.follow_attendance_archive(user, obj, archived)


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
class ConductAcknowledgementRegister(Register):
    """Code-of-conduct acknowledgements (C-TPAT 11.x, AEO 6.12): the version acknowledged is
    derived from the document and the day on every path (the model's save)."""

    model = models.ConductAcknowledgement
    url_prefix = "conduct"
    menu_group = GROUP
    menu_label = "Code-of-conduct acknowledgements"
    columns = (Column("person", sort="person__full_name"),
               Column("document", sort="document__reference"), "document_version",
               "acknowledged_on", Column("site", sort="site__name"))
    export_columns = ("reference", "person", "document", "document_version", "acknowledged_on",
                      "notes", "site")
    filterset_class = filtersets.ConductAcknowledgementFilterSet
    fields = ("person", "document", "acknowledged_on", "signed_form", "notes",
              "document_version", "site")
    read_only_fields = ("document_version", "site")  # derived; the person's site, copied
    select_related = ("person", "document", "document_version__document", "site")
    import_required = ("person", "document", "acknowledged_on")
    import_lookups = {"person": "employee_number", "document": "reference"}


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
    RelatedPanel("Training sessions attended", SessionAttendanceRegister, "person",
                 add_field="person"),
    RelatedPanel("Code-of-conduct acknowledgements", ConductAcknowledgementRegister, "person",
                 add_field="person"),
)
SecurityRoleRegister.related_panels = (
    RelatedPanel("Appointments", AppointmentRegister, "role", add_field="role"),
)
CompetenceRequirementRegister.related_panels = (
    RelatedPanel("Training courses", TrainingCourseRegister, "requirements"),
    RelatedPanel("Training records", TrainingRecordRegister, "requirement",
                 add_field="requirement"),
)
TrainingCourseRegister.related_panels = (
    RelatedPanel("Sessions", TrainingSessionRegister, "course", add_field="course"),
)
TrainingSessionRegister.related_panels = (
    RelatedPanel("Attendance", SessionAttendanceRegister, "session", add_field="session"),
)
SessionAttendanceRegister.related_panels = (
    RelatedPanel("Training records written", TrainingRecordRegister, "attendance"),
)
