"""Choice lists of the supply-chain register."""

from django.db import models
from django_countries import countries


def country_choices():
    """Every country as `(code, name)`, sorted by name in the active language — for a filter or
    a form field's `choices`. django-countries keeps the sorted list per language on its one
    `countries` object, but a field given that object copies it with each form (Django
    deep-copies a form's fields), and every copy translated and sorted all 249 names again: on
    a list with a country filter, about a fifth of its CPU. A function is not copied, so the
    list is built once per language."""
    return list(countries)


class SiteKind(models.TextChoices):
    OWN_FACILITY = "own_facility", "Own facility"
    WAREHOUSE = "warehouse", "Warehouse"
    CROSS_DOCK = "cross_dock", "Cross-dock"
    DISTRIBUTION_CENTRE = "distribution_centre", "Distribution centre"
    MANUFACTURING = "manufacturing", "Manufacturing plant"
    TERMINAL = "terminal", "Terminal"
    PORT = "port", "Port"
    AIRPORT = "airport", "Airport"
    BORDER_CROSSING = "border_crossing", "Border crossing"
    PARTNER_FACILITY = "partner_facility", "Partner facility"
    OFFICE = "office", "Office"


# Sites the organisation passes through but does not run, whoever is recorded as operating them:
# public infrastructure and partners' premises. Its own security roles (ISO 28000 5.3: a site
# security officer per site) are wanted only at the others (`supplychain.services.run_by_us_q`).
NOT_RUN_BY_US = (SiteKind.PORT, SiteKind.AIRPORT, SiteKind.BORDER_CROSSING,
                 SiteKind.PARTNER_FACILITY)


class SecurityLevel(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    ELEVATED = "elevated", "Elevated"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class PartnerKind(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    MANUFACTURER = "manufacturer", "Manufacturer"
    CARRIER = "carrier", "Carrier"
    FORWARDER = "forwarder", "Freight forwarder"
    CUSTOMS_BROKER = "customs_broker", "Customs broker"
    THREE_PL = "3pl", "Third-party logistics (3PL)"
    CONSOLIDATOR = "consolidator", "Consolidator"
    TERMINAL_OPERATOR = "terminal_operator", "Terminal / port operator"
    SECURITY_PROVIDER = "security_provider", "Security service provider"
    CUSTOMER = "customer", "Customer"
    OTHER = "other", "Other"


class PartnerStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    TERMINATED = "terminated", "Terminated"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Programme(models.TextChoices):
    """Supply-chain security programmes a partner can hold (standards.md §4)."""

    # Under the Union Customs Code an operator holds an AEOC and/or an AEOS authorisation; the
    # pre-UCC "AEO-F" certificate is kept only so older records stay readable.
    AEO_S = "aeo_s", "AEOS (security and safety authorisation)"
    AEO_C = "aeo_c", "AEOC (customs simplifications authorisation)"
    AEO_F = "aeo_f", "AEO-F (legacy pre-UCC certificate; record AEOC and AEOS)"
    CTPAT = "ctpat", "C-TPAT"
    TAPA_FSR = "tapa_fsr", "TAPA FSR"
    TAPA_TSR = "tapa_tsr", "TAPA TSR"
    TAPA_PSR = "tapa_psr", "TAPA PSR (secure parking)"
    ISO_28000 = "iso_28000", "ISO 28000 certificate"
    ISO_28001 = "iso_28001", "ISO 28001 certificate"
    ISO_20858 = "iso_20858", "ISO 20858 port facility certificate"
    PIP = "pip", "Partners in Protection (Canada)"
    OTHER_MRA = "other_mra", "Other MRA programme"


# Programmes that validate a partner's security. AEOC alone is a customs-simplification
# authorisation: it says nothing about security, so it neither shortens nor replaces a review.
SECURITY_PROGRAMMES = tuple(p for p in Programme.values if p != Programme.AEO_C)


# The levels each programme grants; an empty tuple means free text.
# C-TPAT as CBP uses it: importers are Tier 1 (certified), Tier 2 (validated) or Tier 3 (validated,
# exceeding the MSC); other entity types are certified, then validated (6 U.S.C. 964-966).
PROGRAMME_LEVELS = {
    Programme.CTPAT: ("Tier 1", "Tier 2", "Tier 3", "Certified", "Validated"),
    Programme.TAPA_FSR: ("A", "B", "C"),
    Programme.TAPA_TSR: ("Level 1", "Level 2", "Level 3"),
    Programme.TAPA_PSR: ("Partner", "Level 1", "Level 2", "Level 3"),
}


# C-TPAT's tiers are an importer's benefit levels. CBP's other entity types — carriers, third-party
# logistics providers, customs brokers, consolidators and forwarders, port terminal operators —
# are certified, then validated. Kinds that may be an importer (customer, supplier, manufacturer,
# other) keep all five levels.
CTPAT_TIERS = ("Tier 1", "Tier 2", "Tier 3")
CTPAT_NON_IMPORTER_KINDS = (PartnerKind.CARRIER, PartnerKind.THREE_PL, PartnerKind.CUSTOMS_BROKER,
                            PartnerKind.CONSOLIDATOR, PartnerKind.FORWARDER,
                            PartnerKind.TERMINAL_OPERATOR)


class Mode(models.TextChoices):
    ROAD = "road", "Road"
    RAIL = "rail", "Rail"
    SEA = "sea", "Sea"
    AIR = "air", "Air"
    INLAND_WATERWAY = "inland_waterway", "Inland waterway"
    POSTAL = "postal", "Postal / courier"
    MULTIMODAL = "multimodal", "Multimodal"


MODE_COLOURS = {
    Mode.ROAD: "#0d6efd",
    Mode.RAIL: "#6f42c1",
    Mode.SEA: "#198754",
    Mode.AIR: "#fd7e14",
    Mode.INLAND_WATERWAY: "#20c997",
    Mode.POSTAL: "#6c757d",
    Mode.MULTIMODAL: "#d63384",
}


class ValueClass(models.TextChoices):
    LOW = "low", "Low value"
    MEDIUM = "medium", "Medium value"
    HIGH = "high", "High value"
    VERY_HIGH = "very_high", "Very high value"


class Attractiveness(models.IntegerChoices):
    """How attractive the goods are to thieves (TAPA and insurer practice)."""

    VERY_LOW = 1, "1 — very low"
    LOW = 2, "2 — low"
    MODERATE = 3, "3 — moderate"
    HIGH = 4, "4 — high"
    VERY_HIGH = 5, "5 — very high"


class ExemptionBasis(models.TextChoices):
    """ISO 28001 4.4: partners already validated by a recognised programme need not be assessed."""

    AEO = "aeo", "AEO authorisation"
    CTPAT = "ctpat", "C-TPAT certification"
    MRA = "mra", "Mutually recognised programme (MRA)"
    ISO_28001 = "iso_28001", "ISO 28001 certificate"
    ISO_20858 = "iso_20858", "ISO 20858 (port facility) certificate"
    OTHER = "other", "Other recognised programme"


# Which programme statuses can carry an exemption on each basis (ISO 28001 4.4: partners
# verified against ISO 28001 or ISO 20858, or designated AEO under a programme consistent with
# WCO SAFE, which mutual recognition extends to C-TPAT, PIP and other MRA programmes). "Other"
# accepts any security programme.
EXEMPTION_PROGRAMMES = {
    ExemptionBasis.AEO: (Programme.AEO_S, Programme.AEO_F),
    ExemptionBasis.CTPAT: (Programme.CTPAT,),
    ExemptionBasis.MRA: (Programme.AEO_S, Programme.AEO_F, Programme.CTPAT, Programme.PIP,
                         Programme.OTHER_MRA),
    ExemptionBasis.ISO_28001: (Programme.ISO_28001,),
    ExemptionBasis.ISO_20858: (Programme.ISO_20858,),
    ExemptionBasis.OTHER: SECURITY_PROGRAMMES,
}


class ReviewMethod(models.TextChoices):
    """How a partner review (ISO 28001 4.5) looked at the partner's processes and facilities."""

    DESK = "desk", "Desk review (declaration, certificates)"
    QUESTIONNAIRE = "questionnaire", "Security questionnaire"
    SITE_VISIT = "site_visit", "Site visit"
    REMOTE = "remote", "Remote / video review"
    AUDIT = "audit", "Partner audit"


class ReviewOutcome(models.TextChoices):
    SATISFACTORY = "satisfactory", "Satisfactory"
    ACTIONS = "actions", "Satisfactory, with actions"
    UNSATISFACTORY = "unsatisfactory", "Unsatisfactory"


class SoAStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded"
