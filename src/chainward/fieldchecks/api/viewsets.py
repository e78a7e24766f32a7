"""Workflow actions of the field checks API, on the generated viewsets
(`Register.viewset_base`):

    POST /api/fieldchecks/runs/<id>/answer/     {"item": 7, "outcome": "fail", "note": "…"}
                                                (multipart with "photo" for a picture)
    POST /api/fieldchecks/runs/<id>/complete/   {"version": n}
    POST /api/fieldchecks/seals/<id>/event/     {"kind": "affixed", "container_number": "…"}
    POST /api/fieldchecks/seals/verify/         {"site": 3, "container_number": "…", …}
    POST /api/fieldchecks/runs/sync/            multipart: a run recorded offline with its
                                                "client_uuid", fields, "answers" (JSON),
                                                "photo-<item>" files and signatures
    POST /api/fieldchecks/runs/<id>/sign/       {"role": "driver", "name": "…",
                                                 "image_data": "data:image/png;base64,…"}
                                                (or multipart with an "image" PNG)
    POST /api/fieldchecks/schedules/measure-objective/  {"objective": 4}
    POST /api/fieldchecks/visitors/<id>/sign-out/      {"at": null}
    POST /api/fieldchecks/keys/<id>/returned/          {"at": null}

They go through the same services as the pages, with the same rules: 403 when the person may
not, 400 with the reason, 409 on a stale version (and, for an offline run, when the
template or the person's sites changed since the phone saved the page).
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.audits.api.viewsets import WorkflowViewSet, refusal
from chainward.core import services as records
from chainward.fieldchecks import services, sync
from chainward.fieldchecks.choices import SignatureRole
from chainward.fieldchecks.models import CheckItem, CheckTemplate
from chainward.supplychain.models import Leg, Site

from .serializers import (
    AnswerRequestSerializer,
    CompleteRequestSerializer,
    GateTimeRequestSerializer,
    MeasureObjectiveRequestSerializer,
    SealEventRequestSerializer,
    SignRequestSerializer,
    SyncRunRequestSerializer,
    VerifyArrivalRequestSerializer,
)

REFUSED = (services.ValidationError, services.PermissionDenied, records.Conflict)


class FieldCheckWorkflowViewSet(WorkflowViewSet):
    """Workflow steps are found with *view*; the service checks the right to take them."""

    def get_action_name(self):
        if self.action in {"answer", "complete", "event", "verify", "sign", "sign_out",
                           "returned", "measure_objective"}:
            return "view"
        if self.action == "sync":
            return "add"
        return super().get_action_name()


def _pick(model, pk, organisation_id, field):
    """A related record of the organisation by id, or a field error."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, organisation_id=organisation_id).first() \
        if model is not get_user_model() else model.objects.filter(
            pk=pk, role_assignments__organisation_id=organisation_id).distinct().first()
    if found is None:
        raise services.ValidationError({field: f"No {field.replace('_', ' ')} with id {pk} "
                                               "in this organisation."})
    return found


class CheckRunViewSet(FieldCheckWorkflowViewSet):
    """Check runs — C-TPAT MSC inspections (POST …/answer/ per item, then …/complete/)."""

    @extend_schema(request=AnswerRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer one item of the run (again to change it, until the run is completed)."""
        body = AnswerRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)

        def step(run):
            item = CheckItem.objects.filter(pk=data.pop("item"), template_id=run.template_id,
                                            archived=False).first()
            if item is None:
                raise services.ValidationError({"item": "Not an item of the run's template."})
            services.set_answer(request.user, run, item, **data)

        return self.run(step)

    @extend_schema(request=CompleteRequestSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete the run: the result; a failed critical item opens its incident or
        corrective action."""
        body = CompleteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda run: services.complete_run(
            request.user, run, expected_version=body.validated_data.get("version")))


    @extend_schema(request=SignRequestSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the run as its inspector or the driver (typed name and drawn PNG)."""
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def step(run):
            image = data["image"] or (services.signature_from_data_url(data["image_data"])
                                      if data["image_data"] else None)
            services.sign_run(request.user, run, role=data["role"], name=data["name"],
                              image=image)

        return self.run(step)

    @extend_schema(request=SyncRunRequestSerializer)
    @action(detail=False, methods=["post"])
    def sync(self, request):
        """Store a run recorded offline and complete it (sync.sync_run): 201 the first time,
        200 with the stored run when the same `client_uuid` comes again, 409 with the reason
        when the template or the person's sites changed, 400 with field errors."""
        body = SyncRunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        answers = [{**answer, "photo": request.FILES.get(f"photo-{answer['item']}")}
                   for answer in data.pop("answers")]
        try:
            run, mine = sync.stored_run(request.user, data["client_uuid"])
            if run is not None and mine:  # sent again: the answer was lost on the way back
                return Response(self._synced(run, False), status=http.HTTP_200_OK)
            template = CheckTemplate.objects.filter(pk=data["template"]).first()
            org = template.organisation_id if template else None
            fields = {name: data[name] for name in sync.RUN_FIELDS}
            fields["leg"] = _pick(Leg, fields["leg"], org, "leg")
            site = Site.objects.filter(pk=data["site"], organisation_id=org).first()
            signatures = []
            for role in SignatureRole.values:
                name = data[f"{role}_name"].strip()
                image = data[f"{role}_image"] or (services.signature_from_data_url(
                    data[f"{role}_image_data"]) if data[f"{role}_image_data"] else None)
                if name or image:
                    signatures.append((role, name, image))
            run, created = sync.sync_run(
                request.user, client_uuid=data["client_uuid"], template_id=data["template"],
                revision=data["template_revision"], site=site, fields=fields,
                answers=answers, signatures=signatures, recorded_by=data["recorded_by"])
        except sync.SyncConflict as conflict:
            return Response({"detail": conflict.reason, "conflict": conflict.code},
                            status=http.HTTP_409_CONFLICT)
        except REFUSED as refused:
            return refusal(refused)
        return Response(self._synced(run, created),
                        status=http.HTTP_201_CREATED if created else http.HTTP_200_OK)

    def _synced(self, run, created):
        payload = self.get_serializer(run).data
        payload["created"] = created
        return payload


class CheckScheduleViewSet(FieldCheckWorkflowViewSet):
    """Check schedules — ISO 28000 9.1 (POST …/measure-objective/ records the completion rate
    of the checks due at an objective's sites as its measurement)."""

    @extend_schema(request=MeasureObjectiveRequestSerializer)
    @action(detail=False, methods=["post"], url_path="measure-objective")
    def measure_objective(self, request):
        """Record the share of due checks done on time over the objective's review period
        (`kpis.measure_objective`); answers the new measurement (201)."""
        from chainward.core.registry import get_register
        from chainward.fieldchecks.kpis import measure_objective
        from chainward.plans.models import Measurement, SecurityObjective

        body = MeasureObjectiveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objective = SecurityObjective.objects.restrict(request.user, "view").filter(
            pk=body.validated_data["objective"]).first()
        if objective is None:
            return Response({"objective": ["No objective with this id that you may see."]},
                            status=http.HTTP_400_BAD_REQUEST)
        try:
            measurement = measure_objective(request.user, objective,
                                            on=body.validated_data["measured_on"])
        except REFUSED as refused:
            return refusal(refused)
        serializer = get_register(Measurement).get_serializer_class()
        return Response(serializer(measurement, context=self.get_serializer_context()).data,
                        status=http.HTTP_201_CREATED)


class VisitorLogViewSet(FieldCheckWorkflowViewSet):
    """Visitor log — C-TPAT MSC 10 access control (POST …/sign-out/ at the gate)."""

    @extend_schema(request=GateTimeRequestSerializer)
    @action(detail=True, methods=["post"], url_path="sign-out")
    def sign_out(self, request, pk=None):
        """Sign the visitor out (time out now, or `at`)."""
        body = GateTimeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda entry: services.sign_out_visitor(
            request.user, entry, at=body.validated_data["at"]))


class KeyIssueViewSet(FieldCheckWorkflowViewSet):
    """Key and badge log — C-TPAT MSC 10 access devices (POST …/returned/ at the gate)."""

    @extend_schema(request=GateTimeRequestSerializer)
    @action(detail=True, methods=["post"])
    def returned(self, request, pk=None):
        """Record the key or badge as returned (now, or `at`)."""
        body = GateTimeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda issue: services.return_key(
            request.user, issue, at=body.validated_data["at"]))


class SealViewSet(FieldCheckWorkflowViewSet):
    """Seals — ISO 17712 seal register (POST …/event/ for the next step; …/verify/ at the
    gate)."""

    @extend_schema(request=SealEventRequestSerializer)
    @action(detail=True, methods=["post"])
    def event(self, request, pk=None):
        """Record the next step of the seal's life (issued, affixed, verified, removed…)."""
        body = SealEventRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)

        def step(seal):
            org = seal.organisation_id
            data["site"] = _pick(Site, data["site"], org, "site")
            data["leg"] = _pick(Leg, data["leg"], org, "leg")
            data["issued_to"] = _pick(get_user_model(), data["issued_to"], org, "issued_to")
            services.record_seal_event(request.user, seal, data.pop("kind"), **data)
            seal.refresh_from_db()

        return self.run(step)

    @extend_schema(request=VerifyArrivalRequestSerializer)
    @action(detail=False, methods=["post"])
    def verify(self, request):
        """Verify the seal of an arriving trailer or container at the gate (VVTT); a
        different number or a broken seal opens an incident."""
        body = VerifyArrivalRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        site = Site.objects.restrict(request.user, "view").filter(pk=data.pop("site")).first()
        if site is None:
            return Response({"site": ["No site with this id that you may see."]},
                            status=http.HTTP_400_BAD_REQUEST)
        try:
            event = services.verify_on_arrival(request.user, site=site, **data)
        except REFUSED as refused:
            return refusal(refused)
        seal = event.seal
        seal.refresh_from_db()
        payload = self.get_serializer(seal).data
        payload["incident"] = event.incident_id
        return Response(payload, status=http.HTTP_201_CREATED)
