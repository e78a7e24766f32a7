"""Register declarations of the field checks app: check templates and items, check runs and
answers, the seal register (stock received, seals, seal events)."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register

from . import filtersets, models, services
from .api.viewsets import CheckRunViewSet, SealViewSet
from .choices import RESULT_BADGES, SEAL_BADGES, SEAL_TRANSITIONS, RunStatus

GROUP = "Field checks"


@add_register
class CheckTemplateRegister(Register):
    model = models.CheckTemplate
    url_prefix = "templates"
    menu_group = GROUP
    menu_label = "Check templates"
    columns = ("name", "kind", "on_critical_failure", "active")
    filterset_class = filtersets.CheckTemplateFilterSet
    fields = ("name", "kind", "description", "on_critical_failure", "incident_type", "active",
              "catalogue_urn")
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
              "status", "result", "completed_at", "incident", "corrective_action")
    # Set by services.complete_run (the result and what a failed critical item opened).
    read_only_fields = ("status", "result", "completed_at", "incident", "corrective_action")
    detail_template = "fieldchecks/run_detail.html"
    select_related = ("template", "site")
    import_required = ("template", "site", "performed_at")
    import_lookups = {"template": "name", "site": "code", "inspector": "email"}

    def detail_context(self, obj, request):
        from .forms import AnswerForm

        user = request.user
        editable = obj.status == RunStatus.DRAFT and not obj.archived and \
            user.has_perm("fieldchecks.change_checkrun", obj)
        answers = {a.item_id: a for a in obj.answers.filter(archived=False)}
        sections = {}
        for item in obj.template.items.filter(archived=False).order_by("order", "pk"):
            answer = answers.get(item.pk)
            form = AnswerForm(item=item, answer=answer) if editable else None
            sections.setdefault(item.section, []).append((item, answer, form))
        return {"sections": list(sections.items()), "editable": editable,
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
    select_related = ("seal", "site", "incident")
    can_add = False
    api_can_add = False
    can_import = False


# Declared after the seal register it lists.
SealBatchRegister.related_panels = (RelatedPanel("Seals", SealRegister, "batch"),)
