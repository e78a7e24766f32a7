"""Register declarations of the incidents app: incidents, notifications, investigations,
timelines, notification deadlines and the contacts directory."""

from chainward.audits.root_cause import WHYS
from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register
from chainward.core.scope import allows
from chainward.plans.registers import SecurityObjectiveRegister
from chainward.risk.likelihood import occurrence_source
from chainward.risk.registers import RatingRegister

from . import filtersets, forms, models, services
from .api.serializers import IncidentSerializer
from .api.viewsets import (
    IncidentViewSet,
    InvestigationViewSet,
    NotificationViewSet,
    ObjectiveViewSet,
)
from .choices import BADGES, INCIDENT_TRANSITIONS, IncidentStatus

GROUP = "Incidents"


def severity_badge(incident):
    """(label, colour) of an incident's severity on its organisation's consequence scale (the
    `_severity_scale` IncidentRegister annotates), or None without a matrix colour for it."""
    for level in getattr(incident, "_severity_scale", None) or []:
        if level.get("value") == incident.severity and level.get("colour"):
            return f"{incident.severity} — {level.get('name', '')}".rstrip(" —"), level["colour"]
    return None


@add_register
class IncidentRegister(Register):
    model = models.Incident
    url_prefix = "incidents"
    viewset_base = IncidentViewSet  # POST …/transition/: the workflow
    menu_group = GROUP
    menu_label = "Incidents"
    columns = ("title", "incident_type", "status", "occurred_at",
               Column("site", sort="site__name"), "severity", "loss_value", "currency")
    filterset_class = filtersets.IncidentFilterSet
    form_class = forms.IncidentForm
    fields = ("title", "incident_type", "modus_operandi", "modus_operandi_detail",
              "description", "occurred_at", "discovered_at", "site", "leg", "partner",
              "location_type", "location", "country", "latitude", "longitude",
              "goods_category", "quantity", "loss_value", "currency", "recovered_value",
              "shipment_references", "seal_numbers", "vehicles", "people_involved",
              "severity", "classification", "threat_scenario", "status", "triaged_on",
              "closed_on", "affected_ratings")
    # Moved only by services.transition_incident (the loop back sets the marked ratings).
    read_only_fields = ("status", "triaged_on", "closed_on", "affected_ratings")
    form_sections = (
        ("What happened", ("title", "incident_type", "modus_operandi", "modus_operandi_detail",
                           "severity", "classification", "threat_scenario", "description")),
        ("When", ("occurred_at", "discovered_at")),
        ("Where", ("site", "leg", "partner", "location_type", "location", "country",
                   "latitude", "longitude")),
        ("Goods and loss", ("goods_category", "quantity", "loss_value", "currency",
                            "recovered_value")),
        ("Shipment, vehicles and people", ("shipment_references", "seal_numbers", "vehicles",
                                           "people_involved")),
    )
    api_extra_fields = ("modus_operandi_label",)
    level_badges = {"severity": severity_badge}  # coloured as on the matrix's scale
    serializer_class = IncidentSerializer
    detail_template = "incidents/incident_detail.html"
    select_related = ("site",)
    import_required = ("title", "incident_type", "occurred_at", "severity")
    import_lookups = {"site": "code", "partner": "name", "goods_category": "name",
                      "threat_scenario": "ref_id"}

    def base_queryset(self):
        """Incidents with their organisation's consequence scale, which colours the severity
        (the matrix `models.severity_scale` reads), in the same query."""
        from django.db.models import JSONField, OuterRef, Subquery

        from chainward.risk.models import RiskMatrix

        scale = (RiskMatrix.objects.filter(organisation=OuterRef("organisation"),
                                           archived=False)
                 .order_by("-frozen", "pk").values("consequence_levels")[:1])
        return super().base_queryset().annotate(
            _severity_scale=Subquery(scale, output_field=JSONField()))

    def after_save(self, user, obj, created):
        """A new incident gets the notifications the organisation's deadlines require; a
        moved one takes its records along (every path: UI, API, import, demo)."""
        if created:
            services.add_required_notifications(user, obj)
        else:
            services.sync_places(user, obj)
            services.move_deadlines(user, obj)

    def detail_context(self, obj, request):
        user = request.user
        can_change = user.has_perm("incidents.change_incident", obj) and not obj.archived
        notifications = list(obj.notifications.filter(archived=False)
                             .select_related("contact", "notified_by"))
        changeable = set() if obj.archived else set(
            models.Notification.objects.restrict(user, "change").filter(incident=obj)
            .values_list("pk", flat=True))
        investigation = obj.investigations.filter(archived=False).select_related(
            "corrective_action", "lead").first()
        return {
            "badge": BADGES.get(obj.status, "text-bg-secondary"),
            "severity": severity_badge(obj),
            "transitions": [IncidentStatus(s) for s in INCIDENT_TRANSITIONS.get(obj.status, ())]
            if can_change else [],
            # Each row asks about its own notification, the Add button about a new one here.
            "notifications": [(n, forms.NotifyForm(prefix_id=n.pk)
                               if n.pk in changeable else None) for n in notifications],
            "can_notify": not obj.archived and allows(user, "add", models.Notification(
                organisation_id=obj.organisation_id, incident=obj,
                **{f: getattr(obj, f) for f in models.PLACE_FIELDS})),
            "investigation": investigation,
            "timeline": list(obj.timeline.filter(archived=False).order_by("at", "pk")),
            "marked": list(obj.affected_ratings.select_related("assessment")
                           .order_by("reference")),
        }


@add_register
class NotificationRegister(Register):
    model = models.Notification
    url_prefix = "notifications"
    viewset_base = NotificationViewSet  # POST …/notified/
    menu_group = GROUP
    menu_label = "Notifications"
    columns = (Column("recipient", label="notify"), Column("incident", sort="incident__title"),
               "due_at", "notified_at", Column("is_overdue", label="overdue", sort=None),
               "reference_number")
    filterset_class = filtersets.NotificationFilterSet
    form_class = forms.NotificationForm
    fields = ("incident", "recipient", "contact", "due_at", "notified_at", "notified_by",
              "reference_number", "notes")
    api_extra_fields = ("is_overdue",)
    select_related = ("incident",)
    can_import = False


@add_register
class InvestigationRegister(Register):
    model = models.Investigation
    url_prefix = "investigations"
    viewset_base = InvestigationViewSet  # POST …/corrective-action/
    menu_group = GROUP
    columns = (Column("incident", sort="incident__title"), Column("lead", sort="lead__email"),
               "started_on", "completed_on",
               Column("corrective_action", sort="corrective_action__reference"))
    export_columns = ("reference", "incident", "lead", "summary", "lessons_learned",
                      "started_on", "completed_on", "corrective_action")
    filterset_class = filtersets.InvestigationFilterSet
    form_class = forms.InvestigationForm
    fields = ("incident", "lead", "summary", "root_cause", "failed_countermeasures",
              "realised_ratings", "lessons_learned", "started_on", "completed_on",
              "corrective_action")
    read_only_fields = ("corrective_action",)  # opened by services.open_corrective_action
    # The root cause is entered through the structured fields of InvestigationForm (five
    # whys or cause categories; no form asks for JSON) and shown by the detail template.
    form_fields = ("incident", "lead", "summary", "failed_countermeasures", "realised_ratings",
                   "lessons_learned", "started_on", "completed_on")
    form_sections = (
        ("The investigation", ("incident", "lead", "started_on", "completed_on", "summary")),
        # Each "why?" beside its "because" (two columns from medium width).
        ("Root cause", ("rc_method", *(f"{part}_{n}" for n in range(1, WHYS + 1)
                                       for part in ("why", "answer")), "cause_*")),
        ("What failed and what follows", ("failed_countermeasures", "realised_ratings",
                                          "lessons_learned")),
    )
    detail_fields = ("incident", "lead", "summary", "failed_countermeasures",
                     "realised_ratings", "lessons_learned", "started_on", "completed_on",
                     "corrective_action")
    detail_template = "incidents/investigation_detail.html"
    select_related = ("incident", "lead", "corrective_action")
    can_import = False

    def detail_context(self, obj, request):
        user = request.user
        return {
            "root_cause": obj.root_cause or {},
            "can_open_capa": not obj.corrective_action_id and not obj.archived and
            user.has_perm("incidents.change_investigation", obj) and
            user.has_perm("audits.add_correctiveaction"),
        }


@add_register
class TimelineEntryRegister(Register):
    model = models.TimelineEntry
    url_prefix = "timeline"
    menu_group = GROUP
    menu_label = "Timeline entries"
    columns = ("description", Column("incident", sort="incident__title"), "at")
    filterset_class = filtersets.TimelineEntryFilterSet
    fields = ("incident", "at", "description")
    select_related = ("incident",)
    can_import = False


@add_register
class ContactRegister(Register):
    model = models.Contact
    url_prefix = "contacts"
    menu_group = GROUP
    menu_label = "Authority and emergency contacts"
    columns = ("name", "kind", "person", "phone", "available", Column("site", sort="site__name"))
    filterset_class = filtersets.ContactFilterSet
    fields = ("kind", "name", "person", "phone", "email", "address", "available", "site",
              "notes")
    select_related = ("site",)
    import_required = ("kind", "name")
    import_lookups = {"site": "code"}


@add_register
class NotificationRuleRegister(Register):
    model = models.NotificationRule
    url_prefix = "deadlines"
    menu_group = GROUP
    menu_label = "Notification deadlines"
    columns = (Column("recipient", label="notify"), "incident_type", "within_hours", "basis")
    filterset_class = filtersets.NotificationRuleFilterSet
    fields = ("incident_type", "recipient", "within_hours", "basis")
    import_required = ("recipient", "within_hours")


# ISO 28001 5.7: a rating shows the incidents that realised it (their investigations say so) and
# those that marked it for re-assessment. Declared here, where incidents are, so that risk does
# not depend on incidents; each panel lists only the incidents its reader may see.
RatingRegister.related_panels = (
    *RatingRegister.related_panels,
    RelatedPanel("Incidents that realised this risk", IncidentRegister,
                 "investigations__realised_ratings"),
    RelatedPanel("Incidents that marked it for re-assessment", IncidentRegister,
                 "affected_ratings"),
)
# ... and its likelihood suggestion counts them (risk.likelihood).
occurrence_source(services.incidents_realising)

# Objectives that measure incident KPIs (item 5): the API's "measure" step, next to the page's
# button (views.measure_objective); both call kpis.measure_objective. Declared here so that
# plans does not depend on incidents.
SecurityObjectiveRegister.viewset_base = ObjectiveViewSet
