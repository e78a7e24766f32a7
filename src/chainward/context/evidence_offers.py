"""The context registers offered as candidate evidence in the gap assessment (ISO 28000 4.1
context, 4.2.1 interested parties, 4.2.2 legal and other requirements, 6.3 planned changes,
9.1 compliance evaluation) — compliance.record_evidence."""

from chainward.compliance.record_evidence import offer_register

from .models import ComplianceEvaluation, ContextIssue, InterestedParty, Obligation, PlannedChange

ISO28000 = "urn:chainward:req:iso28000-2022:"

offer_register([f"{ISO28000}4.1"], ContextIssue, "Internal and external issues (context)")
offer_register([f"{ISO28000}4.2.1"], InterestedParty, "Interested parties and their "
                                                      "requirements")
offer_register([f"{ISO28000}4.2.2"], Obligation, "Legal and other requirements register")
offer_register([f"{ISO28000}6.3"], PlannedChange, "Planned changes")
offer_register([f"{ISO28000}9.1"], ComplianceEvaluation, "Compliance evaluations")
