"""The people registers offered as candidate evidence in the gap assessment (ISO 28000 5.3
roles, 7.2 competence, 7.3 awareness) — compliance.record_evidence. Screening records are
never offered: nobody but the security manager and top management may see them."""

from chainward.compliance.record_evidence import offer_register

from .models import Appointment, AwarenessCampaign, SecurityRole, TrainingRecord

ISO28000 = "urn:chainward:req:iso28000-2022:"

offer_register([f"{ISO28000}5.3"], SecurityRole, "Security roles and responsibilities",
               url_name="people:organisation_chart")
offer_register([f"{ISO28000}5.3"], Appointment, "Appointments to security roles")
offer_register([f"{ISO28000}7.2"], TrainingRecord, "Competence matrix and training records",
               url_name="people:competence_matrix")
offer_register([f"{ISO28000}7.3"], AwarenessCampaign, "Awareness campaigns")
