"""Choices of the context app (ISO 28000 4.1, 4.2, 6.3, 9.1)."""

from django.db import models


class ObligationKind(models.TextChoices):
    LAW = "law", "Law or regulation"
    AUTHORISATION = "authorisation", "Authorisation, licence or permit condition"
    CONTRACT = "contract", "Contract or customer requirement"
    PROGRAMME = "programme", "Security programme (AEO, C-TPAT, TAPA…)"
    VOLUNTARY = "voluntary", "Voluntary commitment or code"


class EvaluationResult(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    PARTLY = "partly", "Partly compliant"
    NOT_COMPLIANT = "not_compliant", "Not compliant"


# A result short of compliance needs the actions that follow (ISO 28000 9.1, 10.2).
NEEDS_ACTION = (EvaluationResult.PARTLY, EvaluationResult.NOT_COMPLIANT)
RESULT_BADGES = {
    EvaluationResult.COMPLIANT: "text-bg-success",
    EvaluationResult.PARTLY: "text-bg-warning",
    EvaluationResult.NOT_COMPLIANT: "text-bg-danger",
}


class IssueOrigin(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class IssueCategory(models.TextChoices):
    POLITICAL = "political", "Political and security situation"
    ECONOMIC = "economic", "Economic and market"
    SOCIAL = "social", "Social and workforce"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal and regulatory"
    ENVIRONMENTAL = "environmental", "Environmental"
    CLIMATE = "climate", "Climate change (Amd 1:2024 decision)"
    ORGANISATIONAL = "organisational", "Organisation, resources and culture"
    SUPPLY_CHAIN = "supply_chain", "Supply chain and partners"


class Effect(models.TextChoices):
    RISK = "risk", "Risk (threat to the SMS outcomes)"
    OPPORTUNITY = "opportunity", "Opportunity"
    BOTH = "both", "Both"
    NONE = "none", "No effect on security"


class Relevance(models.TextChoices):
    RELEVANT = "relevant", "Relevant"
    NOT_RELEVANT = "not_relevant", "Not relevant"


class PartyKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AUTHORITY = "authority", "Customs or other authority"
    REGULATOR = "regulator", "Regulator or foreign programme (e.g. CBP)"
    INSURER = "insurer", "Insurer"
    STAFF = "staff", "Staff and their representatives"
    PARTNER = "partner", "Business partner (carrier, subcontractor…)"
    OWNER = "owner", "Owners and group management"
    COMMUNITY = "community", "Neighbours and communities"
    CERTIFICATION = "certification", "Certification body"
    OTHER = "other", "Other"


class ChangeKind(models.TextChoices):
    SITE = "site", "New or closed site"
    PARTNER = "partner", "New carrier or partner"
    LEG = "leg", "New route or leg"
    IT = "it", "New or changed IT system"
    ORGANISATION = "organisation", "Reorganisation"
    PROCESS = "process", "Changed process or service"
    OTHER = "other", "Other"


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IMPLEMENTED = "implemented", "Implemented"
    REVIEWED = "reviewed", "Post-change review done"
    REJECTED = "rejected", "Rejected"
