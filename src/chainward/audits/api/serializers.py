"""API serializer overrides of the audits app (frameworks and requirements offered, computed
values) and the workflow request bodies; statuses change only through the workflow endpoints.
The record serializers' fields come from the registers' declarations
(`Register.get_serializer_class`)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chainward.audits.forms import frameworks_for, requirements_for
from chainward.core.api import RecordSerializer


class FrameworkChoicesMixin:
    """Frameworks/requirements offered: shipped ones and the organisation's own."""

    framework_fields = ()
    requirement_fields = ()

    def get_fields(self):
        fields = super().get_fields()
        organisation = self.context.get("organisation")
        for name in self.framework_fields:
            fld = fields.get(name)
            if fld is not None and not fld.read_only:
                getattr(fld, "child_relation", fld).queryset = frameworks_for(organisation)
        for name in self.requirement_fields:
            fld = fields.get(name)
            if fld is not None and not fld.read_only:
                getattr(fld, "child_relation", fld).queryset = requirements_for(organisation)
        return fields


class AuditProgrammeSerializer(FrameworkChoicesMixin, RecordSerializer):
    framework_fields = ("frameworks",)


class CompetenceWarningSerializer(serializers.Serializer):
    """An assigned auditor who lacks a competence the internal-auditor roles require."""

    auditor = serializers.IntegerField(help_text="The auditor's user id.")
    reason = serializers.CharField(help_text="What is lacking, e.g. \"lacks ISO 28000 "
                                             "internal auditor course (expired)\".")
    text = serializers.CharField(help_text="The warning as the audit page words it.")


def competence_gaps_by_audit(user, audits):
    """{audit id: [(auditor, reason)]} for the audits given, from
    `people.services.auditor_competence_gaps` asked once per organisation with every auditor
    of those audits: a gap is the auditor's own, so a page of audits costs the same queries
    as one audit (the team is prefetched by the viewset)."""
    from chainward.people.services import auditor_competence_gaps
    from chainward.supplychain.models import Organisation

    teams = {audit.pk: list(dict.fromkeys(
        a for a in (audit.lead_auditor, *audit.team.all()) if a is not None)) for audit in audits}
    by_organisation = {}
    for audit in audits:
        by_organisation.setdefault(audit.organisation_id, []).extend(teams[audit.pk])
    organisations = Organisation.objects.in_bulk(list(by_organisation)) \
        if any(by_organisation.values()) else {}
    gaps = {}  # (organisation id, auditor id) -> reason
    for organisation_id, auditors in by_organisation.items():
        if auditors:
            for auditor, reason in auditor_competence_gaps(
                    user, organisations[organisation_id], auditors):
                gaps[organisation_id, auditor.pk] = reason
    return {audit.pk: [(a, gaps[audit.organisation_id, a.pk]) for a in teams[audit.pk]
                       if (audit.organisation_id, a.pk) in gaps] for audit in audits}


class AuditListSerializer(serializers.ListSerializer):
    """A page of audits: the auditors' competence gaps are read once for the page."""

    def to_representation(self, data):
        audits = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        if request is not None:
            self.child.competence_gaps = competence_gaps_by_audit(request.user, audits)
        return super().to_representation(audits)


class AuditSerializer(FrameworkChoicesMixin, RecordSerializer):
    """Auditor independence is checked by `save_record` on the saved team and sites; its
    refusal is a 400 with the lead_auditor / team field errors. `competence_warnings` names
    the assigned auditors who lack the competence the internal-auditor roles require (ISO
    28000 9.2, 7.2), as the audit page does: a warning, never a refusal."""

    framework_fields = ("criteria",)
    requirement_fields = ("requirements",)
    competence_warnings = serializers.SerializerMethodField(
        help_text="Assigned auditors who lack a competence the internal-auditor roles require "
                  "(ISO 28000 9.2, 7.2); empty for readers who may not see training records. "
                  "A warning only: the audit is saved all the same.")

    class Meta:
        list_serializer_class = AuditListSerializer

    @extend_schema_field(CompetenceWarningSerializer(many=True))
    def get_competence_warnings(self, obj) -> list:
        gaps = getattr(self, "competence_gaps", None)
        request = self.context.get("request")
        if gaps is None or obj.pk not in gaps:
            if request is None:
                return []
            gaps = competence_gaps_by_audit(request.user, [obj])
        return [{"auditor": auditor.pk, "reason": reason, "text": f"{auditor} {reason}"}
                for auditor, reason in gaps[obj.pk]]


class ChecklistItemSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)


class FindingSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)
    corrective_actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)


class CorrectiveActionSerializer(RecordSerializer):
    is_overdue = serializers.BooleanField(read_only=True)


class TransitionSerializer(serializers.Serializer):
    """POST body of a status change."""

    to = serializers.CharField(help_text="The status to move to.")
    version = serializers.IntegerField(required=False)


class VerificationSerializer(serializers.Serializer):
    """POST body of a verification of effectiveness."""

    effective = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)
