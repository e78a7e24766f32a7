"""Choice lists of security incidents, notifications, contacts and exercises (ISO 28001 5.7,
ISO 28000 8.6, 10.2)."""

from django.db import models

from chainward.documents.choices import Classification  # noqa: F401 - same levels as documents


class IncidentType(models.TextChoices):
    THEFT_FULL_LOAD = "theft_full_load", "Cargo theft — full load"
    PILFERAGE = "pilferage", "Cargo theft — pilferage"
    THEFT_FROM_VEHICLE = "theft_from_vehicle", "Theft from vehicle"
    HIJACKING = "hijacking", "Hijacking"
    FICTITIOUS_PICKUP = "fictitious_pickup", "Fictitious pickup / fraudulent carrier"
    SEAL_TAMPERING = "seal_tampering", "Seal or container tampering"
    CONTRABAND = "contraband", "Smuggling / contraband / drugs found"
    STOWAWAYS = "stowaways", "Stowaways / unauthorised persons"
    INTRUSION = "intrusion", "Unauthorised access / intrusion"
    CYBER = "cyber", "Cyber incident affecting operations"
    VIOLENCE = "violence", "Violence / threat to staff"
    INFORMATION_LOSS = "information_loss", "Loss of security-sensitive information"
    NEAR_MISS = "near_miss", "Near miss"
    OTHER = "other", "Other"


# Modus operandi offered per incident type (words of the TAPA IIS style, our own wording).
# Every type also accepts "other" with the detail written out.
MODUS_OPERANDI = {
    IncidentType.THEFT_FULL_LOAD: {
        "vehicle_stolen": "Vehicle with load stolen",
        "trailer_stolen": "Trailer or container stolen",
        "burglary_facility": "Burglary of a facility",
    },
    IncidentType.PILFERAGE: {
        "curtain_slashing": "Curtain slashing",
        "forced_doors": "Doors forced",
        "internal_pilferage": "Internal pilferage",
    },
    IncidentType.THEFT_FROM_VEHICLE: {
        "unattended_parking": "From a vehicle parked unattended",
        "forced_entry": "Forced entry to the cab or load area",
    },
    IncidentType.HIJACKING: {
        "violent_stop": "Vehicle stopped by violence",
        "fake_police": "Fake police or officials",
        "deceptive_stop": "Deception (staged accident, fake breakdown)",
    },
    IncidentType.FICTITIOUS_PICKUP: {
        "identity_theft": "Carrier identity stolen",
        "fraudulent_booking": "Fraudulent booking on a freight exchange",
        "forged_documents": "Forged collection documents",
    },
    IncidentType.SEAL_TAMPERING: {
        "seal_mismatch": "Seal number does not match",
        "seal_broken": "Seal broken or missing",
        "container_tampered": "Container or trailer structure tampered",
    },
    IncidentType.CONTRABAND: {
        "concealed_in_load": "Concealed in the load",
        "concealed_in_vehicle": "Concealed in the vehicle",
    },
    IncidentType.STOWAWAYS: {
        "in_trailer": "Found in a trailer or container",
        "at_site": "Found at the site",
    },
    IncidentType.INTRUSION: {
        "fence_breach": "Fence or perimeter breached",
        "tailgating": "Tailgating at an access point",
        "credential_misuse": "Badge or credential misused",
    },
    IncidentType.CYBER: {
        "ransomware": "Ransomware",
        "account_takeover": "Account takeover",
        "phishing": "Phishing or payment diversion",
    },
    IncidentType.VIOLENCE: {
        "threat": "Threat or intimidation",
        "assault": "Assault",
    },
    IncidentType.INFORMATION_LOSS: {
        "route_leak": "Route, load or schedule data leaked",
        "document_loss": "Documents lost or stolen",
    },
    IncidentType.NEAR_MISS: {
        "attempt_stopped": "Attempt detected and stopped",
        "weakness_found": "Weakness found before exploitation",
    },
    IncidentType.OTHER: {},
}
OTHER_MO = "other"


def modus_operandi_choices(incident_type=None):
    """[(value, label)] for one type (plus "other"), or every value once for any type."""
    if incident_type:
        items = list(MODUS_OPERANDI.get(incident_type, {}).items())
    else:
        seen = {}
        for per_type in MODUS_OPERANDI.values():
            seen.update(per_type)
        items = list(seen.items())
    return [*items, (OTHER_MO, "Other (describe)")]


def modus_operandi_label(value):
    """The label of a modus operandi value, whatever its type."""
    return dict(modus_operandi_choices()).get(value, value)


class LocationType(models.TextChoices):
    """Where the incident happened, in the coarse words of an incident-sharing scheme."""

    OWN_FACILITY = "own_facility", "Own facility (warehouse, cross-dock, terminal)"
    PARTNER_FACILITY = "partner_facility", "Partner or customer facility"
    PARKING_SECURED = "parking_secured", "Secured parking"
    PARKING_UNSECURED = "parking_unsecured", "Unsecured parking / rest stop"
    EN_ROUTE = "en_route", "En route (moving vehicle)"
    BORDER = "border", "Border crossing"
    PORT_AIRPORT = "port_airport", "Port or airport"
    IT_SYSTEMS = "it_systems", "IT systems (no physical location)"
    OTHER = "other", "Other"


class PeopleInvolved(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    NONE = "none", "Nobody of ours or our partners'"
    INTERNAL = "internal", "Internal (our staff)"
    PARTNER = "partner", "Partner staff (carrier, subcontractor…)"
    MIXED = "mixed", "Internal and partner staff"


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGED = "triaged", "Triaged"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"
    CLOSED = "closed", "Closed"


# reported → triaged → under investigation → closed; nothing else (ISO 28001 5.7).
INCIDENT_TRANSITIONS = {
    IncidentStatus.REPORTED: (IncidentStatus.TRIAGED,),
    IncidentStatus.TRIAGED: (IncidentStatus.UNDER_INVESTIGATION,),
    IncidentStatus.UNDER_INVESTIGATION: (IncidentStatus.CLOSED,),
    IncidentStatus.CLOSED: (),
}
OPEN_STATUSES = (IncidentStatus.REPORTED, IncidentStatus.TRIAGED,
                 IncidentStatus.UNDER_INVESTIGATION)
# Moving to these statuses prompts re-assessment of the ratings the incident touches.
LOOP_BACK_STATUSES = (IncidentStatus.TRIAGED, IncidentStatus.CLOSED)


class Severity(models.IntegerChoices):
    """Default severity labels; the organisation's risk matrix names them when it has one."""

    NEGLIGIBLE = 1, "1 — Negligible"
    MINOR = 2, "2 — Minor"
    MODERATE = 3, "3 — Moderate"
    MAJOR = 4, "4 — Major"
    SEVERE = 5, "5 — Severe"


class Recipient(models.TextChoices):
    """Who must be told of an incident."""

    POLICE = "police", "Police"
    CUSTOMS = "customs", "Customs"
    CTPAT_SCSS = "ctpat_scss", "C-TPAT supply-chain security specialist"
    AEO_AUTHORITY = "aeo_authority", "AEO customs authority"
    INSURER = "insurer", "Insurer"
    CARGO_OWNER = "cargo_owner", "Cargo owner / customer"
    PARTNER = "partner", "Business partner"
    TAPA_IIS = "tapa_iis", "TAPA incident information service"
    INTERNAL = "internal", "Internal management"
    OTHER = "other", "Other"


class ContactKind(models.TextChoices):
    """Authority and emergency contacts (ISO 28000 7.4, 8.6)."""

    POLICE = "police", "Police"
    CUSTOMS = "customs", "Customs"
    PORT_AUTHORITY = "port_authority", "Port authority"
    INSURER = "insurer", "Insurer"
    CBP_CTPAT = "cbp_ctpat", "CBP / C-TPAT"
    AEO_AUTHORITY = "aeo_authority", "AEO customs authority"
    EMERGENCY = "emergency", "Emergency services"
    INTERNAL_ON_CALL = "internal_on_call", "Internal on-call"
    CARGO_OWNER = "cargo_owner", "Cargo owner / customer"
    TAPA = "tapa", "TAPA"
    OTHER = "other", "Other"


# A notification recipient is reached through contacts of these kinds.
CONTACT_KINDS_FOR = {
    Recipient.POLICE: (ContactKind.POLICE, ContactKind.EMERGENCY),
    Recipient.CUSTOMS: (ContactKind.CUSTOMS,),
    Recipient.CTPAT_SCSS: (ContactKind.CBP_CTPAT,),
    Recipient.AEO_AUTHORITY: (ContactKind.AEO_AUTHORITY, ContactKind.CUSTOMS),
    Recipient.INSURER: (ContactKind.INSURER,),
    Recipient.CARGO_OWNER: (ContactKind.CARGO_OWNER,),
    Recipient.TAPA_IIS: (ContactKind.TAPA,),
    Recipient.INTERNAL: (ContactKind.INTERNAL_ON_CALL,),
}

BADGES = {
    IncidentStatus.REPORTED: "text-bg-warning", IncidentStatus.TRIAGED: "text-bg-info",
    IncidentStatus.UNDER_INVESTIGATION: "text-bg-primary",
    IncidentStatus.CLOSED: "text-bg-success",
}
