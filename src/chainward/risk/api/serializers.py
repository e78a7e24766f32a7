"""API serializers of the risk registers (levels are computed on the server, read-only)."""

from chainward.core.api import RecordSerializer
from chainward.risk import models

RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


class RiskMatrixSerializer(RecordSerializer):
    class Meta:
        model = models.RiskMatrix
        fields = (*RECORD_FIELDS, "name", "source_urn", "likelihood_levels",
                  "consequence_levels", "consequence_categories", "risk_levels", "grid",
                  "acceptance_level", "threat_level_changed_on", "threat_level_note", "frozen")


class SecurityAssessmentSerializer(RecordSerializer):
    class Meta:
        model = models.SecurityAssessment
        fields = (*RECORD_FIELDS, "title", "statement", "sites", "legs", "partners",
                  "processes", "matrix", "assessor", "status", "baseline", "classification",
                  "method", "completed_on")


class AssessmentMemberSerializer(RecordSerializer):
    class Meta:
        model = models.AssessmentMember
        fields = (*RECORD_FIELDS, "assessment", "user", "role_in_team", "qualifications",
                  "undertaking_signed_on")


class ExistingMeasureSerializer(RecordSerializer):
    class Meta:
        model = models.ExistingMeasure
        fields = (*RECORD_FIELDS, "assessment", "site", "leg", "partner", "measure_type",
                  "description")


class ThreatApplicabilitySerializer(RecordSerializer):
    class Meta:
        model = models.ThreatApplicability
        fields = (*RECORD_FIELDS, "assessment", "scenario", "custom_scenario",
                  "custom_categories", "applicable", "justification")


class RatingSerializer(RecordSerializer):
    class Meta:
        model = models.Rating
        fields = (*RECORD_FIELDS, "assessment", "threat", "site", "leg", "partner",
                  "consequences", "consequence", "likelihood", "inherent_level",
                  "inherent_rank", "decision", "countermeasures", "residual_likelihood",
                  "residual_consequence", "residual_level", "residual_rank", "above_appetite",
                  "owner", "reviewed", "notes")


class CountermeasureSerializer(RecordSerializer):
    class Meta:
        model = models.Countermeasure
        fields = (*RECORD_FIELDS, "title", "measure_type", "description", "status", "owner",
                  "due_date", "cost", "sites", "requirements", "source_control",
                  "effectiveness_review", "reviewed_on")


class RiskAcceptanceSerializer(RecordSerializer):
    class Meta:
        model = models.RiskAcceptance
        fields = (*RECORD_FIELDS, "rating", "accepted_by", "accepted_on", "justification",
                  "conditions", "valid_until")
