"""Register declarations of the field checks app: check templates and items, check runs and
answers, check schedules, the seal register (stock received, seals, seal events) and the
gatehouse registers (visitor log, key and badge log)."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register

from . import accesslog, filtersets, models, schedules, services
from .api.viewsets import (
    CheckRunViewSet,
    CheckScheduleViewSet,
    KeyIssueViewSet,
    SealViewSet,
    VisitorLogViewSet,
)
from .choices import DUE_BADGES, RESULT_BADGES, SEAL_BADGES, SEAL_TRANSITIONS, RunStatus

GROUP = "Field checks"


@add_register
class CheckTemplateRegister(Register):
    model = models.CheckTemplate
    url_prefix = "templates"
    menu_group = GROUP
    menu_label = "Check templates"
    columns = ("name", "kind", "on_critical_failure", "active")
    filterset_class = filtersets.CheckTemplateFilterSet
    fields = ("name", "kind", "description", "on_critical_failure", "incident_type",
              "driver_signature_required", "active", "catalogue_urn")
    read_only_fields = ("catalogue_urn",)  # set when copied from the catalogue
    detail_template = "fieldchecks/template_detail.html"
    import_required = ("name",)

    def detail_context(self, obj, request):
        items = list(obj.items.filter(archived=False).order_by("order", "pk"))
        sections = {}
        for item in items:
            sections.setdefault(item.section, []).append(item)
        user = request.user
        return {"sections": list(sections.items()), "item_count": len(items),
                "can_add_item": user.has_perm("fieldchecks.add_checkitem") and
                not obj.archived,
                "can_run": obj.active and not obj.archived and
                user.has_perm("fieldchecks.add_checkrun")}


@add_register
class CheckItemRegister(Register):
    model = models.CheckItem
    url_prefix = "items"
    columns = ("text", Column("template", sort="template__name"), "section", "answer_type",
               "critical", "photo_required")
    filterset_class = filtersets.CheckItemFilterSet
    fields = ("template", "section", "order", "text", "guidance", "answer_type", "options",
              "failing_options", "min_value", "max_value", "photo_required", "critical",
              "catalogue_ref")
    form_sections = (
        ("Check point", ("template", "section", "order", "text", "guidance")),
        ("Answer", ("answer_type", "options", "failing_options", "min_value", "max_value")),
        ("When it fails", ("photo_required", "critical")),
    )
    read_only_fields = ("catalogue_ref",)  # the catalogue point it was copied from
    select_related = ("template",)
    import_required = ("template", "text")
    import_lookups = {"template": "name"}


@add_register
class CheckRunRegister(Register):
    model = models.CheckRun
    url_prefix = "runs"
    viewset_base = CheckRunViewSet  # POST …/answer/ and …/complete/: the workflow
    menu_group = GROUP
    menu_label = "Check runs"
    columns = ("performed_at", Column("template", sort="template__name"),
               Column("site", sort="site__name"), "container_number", "vehicle_registration",
               "status", "result")
    filterset_class = filtersets.CheckRunFilterSet
    fields = ("template", "site", "leg", "shipment_reference", "vehicle_registration",
              "container_number", "seal_numbers", "inspector", "performed_at",
              "location_consent", "latitude", "longitude", "location_accuracy", "notes",
              "status", "result", "completed_at", "incident", "corrective_action",
              "inspector_signed_name", "inspector_signed_at", "driver_signed_name",
              "driver_signed_at")
    # Set by services.complete_run (the result and what a failed critical item opened) and
    # services.sign_run (the signatures).
    read_only_fields = ("status", "result", "completed_at", "incident", "corrective_action",
                        "inspector_signed_name", "inspector_signed_at", "driver_signed_name",
                        "driver_signed_at")
    form_sections = (
        ("What is checked", ("template", "site", "leg", "shipment_reference",
                             "vehicle_registration", "container_number", "seal_numbers")),
        ("Who, when and where", ("inspector", "performed_at", "location_consent", "latitude",
                                 "longitude", "location_accuracy")),
        ("Notes", ("notes",)),
    )
    detail_template = "fieldchecks/run_detail.html"
    select_related = ("template", "site")
    import_required = ("template", "site", "performed_at")
    import_lookups = {"template": "name", "site": "code", "inspector": "email"}

    def detail_context(self, obj, request):
        from .forms import AnswerForm, SignatureForm

        user = request.user
        editable = obj.status == RunStatus.DRAFT and not obj.archived and \
            user.has_perm("fieldchecks.change_checkrun", obj)
        signers = ["inspector"] + (["driver"] if obj.template.driver_signature_required or
                                   obj.driver_signed_at else [])
        answers = {a.item_id: a for a in obj.answers.filter(archived=False)}
        sections = {}
        for item in obj.template.items.filter(archived=False).order_by("order", "pk"):
            answer = answers.get(item.pk)
            form = AnswerForm(item=item, answer=answer) if editable else None
            sections.setdefault(item.section, []).append((item, answer, form))
        return {"sections": list(sections.items()), "editable": editable,
                "signatures": [(role, getattr(obj, f"{role}_signed_name"),
                                getattr(obj, f"{role}_signed_at"),
                                SignatureForm(role=role) if editable else None)
                               for role in signers],
                "result_badge": RESULT_BADGES.get(obj.result, "text-bg-secondary"),
                "failed_count": sum(1 for a in answers.values() if a.failed)}


@add_register
class CheckAnswerRegister(Register):
    model = models.CheckAnswer
    url_prefix = "answers"
    columns = (Column("item", sort="item__text"), Column("run", sort="run__reference"),
               "outcome", "number", "choice", "failed", "note")
    filterset_class = filtersets.CheckAnswerFilterSet
    fields = ("run", "item", "outcome", "number", "text", "choice", "note", "failed",
              "photo_name")
    read_only_fields = ("failed", "photo_name")  # worked out on save; photo via the run page
    # An answer stays on its run and item: the form changes the answer only.
    form_fields = ("outcome", "number", "text", "choice", "note")
    select_related = ("item", "run")
    can_add = False  # answered on the run's page (services.set_answer)
    api_can_add = False  # POST …/runs/<id>/answer/
    can_import = False


@add_register
class SealBatchRegister(Register):
    model = models.SealBatch
    url_prefix = "seal-stock"
    menu_group = GROUP
    menu_label = "Seal stock received"
    columns = ("received_on", Column("site", sort="site__name"), "prefix", "first_number",
               "last_number", "seal_class", "seal_type")
    export_columns = ("reference", "received_on", "site", "prefix", "first_number",
                      "last_number", "digits", "seal_class", "seal_type", "manufacturer",
                      "certificate")
    filterset_class = filtersets.SealBatchFilterSet
    fields = ("site", "prefix", "first_number", "last_number", "digits", "seal_class",
              "seal_type", "manufacturer", "certificate", "received_on", "notes")
    form_sections = (
        ("Numbers", ("site", "prefix", "first_number", "last_number", "digits")),
        ("Seals (ISO 17712)", ("seal_class", "seal_type", "manufacturer", "certificate")),
        ("Receipt", ("received_on", "notes")),
    )
    select_related = ("site",)
    import_required = ("site", "first_number", "last_number")
    import_lookups = {"site": "code"}

    def after_save(self, user, obj, created):
        """A new receipt puts its seals in stock (every path: UI, API, import, demo)."""
        if created:
            services.receive_seals(user, obj)


@add_register
class SealRegister(Register):
    model = models.Seal
    url_prefix = "seals"
    viewset_base = SealViewSet  # POST …/event/ and …/verify/: the life cycle
    menu_group = GROUP
    menu_label = "Seal register"
    columns = ("number", "status", Column("site", sort="site__name"), "container_number",
               "shipment_reference", "affixed_at")
    filterset_class = filtersets.SealFilterSet
    fields = ("number", "batch", "site", "destination", "status", "issued_to", "leg",
              "container_number", "shipment_reference", "affixed_at", "notes")
    # Moved only by services.record_seal_event (one event per step of its life).
    read_only_fields = without(fields, "notes")
    detail_template = "fieldchecks/seal_detail.html"
    select_related = ("site",)
    can_add = False  # seals come from a receipt of stock
    api_can_add = False
    can_import = False

    def detail_context(self, obj, request):
        from .forms import SealEventForm

        user = request.user
        next_kinds = list(SEAL_TRANSITIONS.get(obj.status, {}))
        can_record = bool(next_kinds) and not obj.archived and \
            user.has_perm("fieldchecks.add_sealevent")
        return {
            "events": list(obj.events.select_related("site", "by", "issued_to", "leg",
                                                     "incident").order_by("at", "pk")),
            "badge": SEAL_BADGES.get(obj.status, "text-bg-secondary"),
            "event_form": SealEventForm(seal=obj, user=user,
                                        organisation=request.organisation)
            if can_record else None,
        }


@add_register
class SealEventRegister(Register):
    model = models.SealEvent
    url_prefix = "seal-events"
    menu_group = GROUP
    menu_label = "Seal events"
    columns = ("at", Column("seal", sort="seal__number"), "kind", Column("site", sort="site__name"),
               "container_number", "number_matches", Column("incident", sort="incident__title"))
    export_columns = ("reference", "at", "seal", "kind", "site", "by", "issued_to",
                      "container_number", "shipment_reference", "number_read",
                      "number_matches", "view_ok", "tug_ok", "twist_ok", "intact", "incident",
                      "reason")
    filterset_class = filtersets.SealEventFilterSet
    fields = ("seal", "kind", "at", "by", "site", "issued_to", "leg", "container_number",
              "shipment_reference", "number_read", "number_matches", "view_ok", "tug_ok",
              "twist_ok", "intact", "incident", "reason")
    # Written once by services.record_seal_event; only the notes can be added to later.
    read_only_fields = without(fields, "reason")
    # `by` and `issued_to` are export columns: joined, not read one row at a time.
    select_related = ("seal", "site", "incident", "by", "issued_to")
    can_add = False
    api_can_add = False
    can_import = False


@add_register
class CheckScheduleRegister(Register):
    model = schedules.CheckSchedule
    url_prefix = "schedules"
    viewset_base = CheckScheduleViewSet  # POST …/measure-objective/: completion as a KPI
    menu_group = GROUP
    menu_label = "Check schedules"
    columns = (Column("template", sort="template__name"), Column("site", sort="site__name"),
               Column("frequency_text", label="how often", sort="unit"),
               Column("next_due", label="next due", sort=None),
               Column("due_state", label="state", sort=None), "responsible", "active")
    export_columns = ("reference", "template", "site", "unit", "every", "starts_on",
                      Column("next_due", label="next due", sort=None),
                      Column("due_state", label="state", sort=None), "responsible", "active",
                      "notes")
    filterset_class = filtersets.CheckScheduleFilterSet
    fields = ("template", "site", "unit", "every", "starts_on", "responsible", "active",
              "notes")
    api_extra_fields = ("next_due", "due_state")  # computed from the last completed run
    detail_template = "fieldchecks/schedule_detail.html"
    select_related = ("template", "site", "responsible")
    import_required = ("template", "site", "unit")
    import_lookups = {"template": "name", "site": "code", "responsible": "email"}

    def base_queryset(self):
        """Each schedule with its last completed run (one subquery for any list length)."""
        return schedules.with_last_done(super().base_queryset())

    def detail_context(self, obj, request):
        import datetime

        from django.utils import timezone

        today = timezone.localdate()
        start = today - datetime.timedelta(days=COMPLETION_DAYS)
        result = schedules.completion(request.user, request.organisation, start=start,
                                      end=today, schedule_ids=[obj.pk])
        found = next((row["occurrences"] for row in result.schedules
                      if row["schedule"].pk == obj.pk), [])
        state = obj.state(today)
        return {"state": state, "badge": DUE_BADGES.get(state, "text-bg-secondary"),
                "occurrences": list(reversed(found)), "window_days": COMPLETION_DAYS,
                "rate": schedules.rate(sum(1 for o in found if o.on_time), len(found)),
                "can_run": obj.active and not obj.archived and obj.template.active and
                request.user.has_perm("fieldchecks.add_checkrun")}


COMPLETION_DAYS = 90  # the window of a schedule's completion on its page


@add_register
class VisitorLogRegister(Register):
    model = accesslog.VisitorLogEntry
    url_prefix = "visitors"
    viewset_base = VisitorLogViewSet  # POST …/sign-out/
    menu_group = GROUP
    menu_label = "Visitor log"
    columns = ("time_in", "name", "company", "kind", Column("site", sort="site__name"),
               "vehicle_registration", "id_checked", "escorted_by", "time_out")
    filterset_class = filtersets.VisitorLogFilterSet
    fields = ("site", "kind", "name", "company", "vehicle_registration", "id_checked",
              "id_type", "escorted_by", "purpose", "time_in", "time_out", "notes")
    form_sections = (
        ("Visitor", ("site", "kind", "name", "company", "vehicle_registration")),
        ("Identity and escort", ("id_checked", "id_type", "escorted_by", "purpose")),
        ("Time on site", ("time_in", "time_out", "notes")),
    )
    detail_template = "fieldchecks/gate_detail.html"
    select_related = ("site",)
    import_required = ("site", "name", "time_in")
    import_lookups = {"site": "code"}

    def detail_context(self, obj, request):
        return {"gate_action": "sign out" if obj.time_out is None and not obj.archived and
                request.user.has_perm("fieldchecks.change_visitorlogentry", obj) else "",
                "gate_url": "fieldchecks:visitor_sign_out"}


@add_register
class KeyIssueRegister(Register):
    model = accesslog.KeyIssue
    url_prefix = "keys"
    viewset_base = KeyIssueViewSet  # POST …/returned/
    menu_group = GROUP
    menu_label = "Key and badge log"
    columns = ("issued_at", "kind", "key_id", "issued_to", Column("site", sort="site__name"),
               "issued_by", "returned_at")
    filterset_class = filtersets.KeyIssueFilterSet
    fields = ("site", "kind", "key_id", "issued_to", "issued_by", "issued_at", "returned_at",
              "notes")
    detail_template = "fieldchecks/gate_detail.html"
    select_related = ("site", "issued_by")
    import_required = ("site", "key_id", "issued_to", "issued_at")
    import_lookups = {"site": "code", "issued_by": "email"}

    def detail_context(self, obj, request):
        return {"gate_action": "returned" if obj.returned_at is None and not obj.archived and
                request.user.has_perm("fieldchecks.change_keyissue", obj) else "",
                "gate_url": "fieldchecks:key_returned"}


# Declared after the seal register it lists.
SealBatchRegister.related_panels = (RelatedPanel("Seals", SealRegister, "batch"),)
