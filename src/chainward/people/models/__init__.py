"""People of the security management system: the security roles and who holds them (ISO 28000
5.3), the competence each role requires and the training records that show it (7.2).

Design decisions (see also `services.py`):

* People are records of their own (`Person`), not user accounts: most trained staff (gate
  guards, drivers, warehouse staff) never log in. A person may be linked to an account.
* A person, and their training records, belong to a home site: its site security officer keeps
  them. The person's site is copied onto each training record and the role's site onto each
  appointment (never edited by hand), so that every scope path is a direct column: "may I add
  this here?" can be answered before the row exists. `services.sync_sites` keeps them in step.
* Training records are personal data: Viewers see none of them (nor the people list).
* A training record without an expiry date takes it from the requirement's validity.
* Training courses and their sessions: a session's attendance writes the attendees' training
  records (`services.train_attendee`), so the records say which session they came from.

Models by topic: `staff` (people, competence requirements, security roles, appointments),
`training` (records, courses, sessions, attendance), `screening` (screening and conduct
acknowledgements), `awareness` (campaigns); `common` holds what they share. Every model is
imported here, in the order they were declared, and registered below.
"""

from chainward.core import roles
from chainward.core.registry import register

# In the order the models were declared when this was one module (the app's model order).
# isort: off
from .common import SiteFromParent  # migration 0004 names it as a base
from .staff import Appointment, CompetenceRequirement, Person, SecurityRole
from .training import SessionAttendance, TrainingCourse, TrainingRecord, TrainingSession
from .screening import ConductAcknowledgement, ScreeningRecord
from .awareness import AwarenessCampaign
# isort: on

__all__ = [
    "Appointment", "AwarenessCampaign", "CompetenceRequirement", "ConductAcknowledgement",
    "Person", "ScreeningRecord", "SecurityRole", "SessionAttendance", "SiteFromParent",
    "TrainingCourse", "TrainingRecord", "TrainingSession",
]

# People and their training are personal data: the site's officer and contributors keep them
# at their sites, Viewers see none, the external auditor samples them (read).
PERSONAL_RECORD = roles.matrix(viewer=roles.NONE)
register(Person, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
register(TrainingRecord, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# Who attended which session is personal data like the training records it writes.
register(SessionAttendance, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# A session is held at a site (or for the whole organisation): its officer and contributors
# record it there, everybody in scope reads it (no personal data on it).
register(TrainingSession, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
# What competence a role needs is the organisation's decision: the security manager keeps it.
register(CompetenceRequirement, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                   contributor=roles.READ_EXPORT))
# The courses that give those competences are the security manager's training plan too.
register(TrainingCourse, roles=roles.matrix(officer=roles.READ_EXPORT,
                                            contributor=roles.READ_EXPORT))
register(SecurityRole, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT))
# Top management assigns the responsibilities and authorities (ISO 28000 5.3): it appoints,
# like the security manager; site officers read who holds which role.
register(Appointment, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(top=roles.EDIT, officer=roles.READ_EXPORT,
                            contributor=roles.READ_EXPORT))
# Who acknowledged the code of conduct is personal data kept like training records (not
# sensitive like screening): the site's officer and contributors record it, Viewers see none.
register(ConductAcknowledgement, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# Personnel screening (C-TPAT 11.x, AEO 6.12) is the most sensitive personal data the SMS
# holds: nobody but the security manager (who keeps it) and top management (who reads it) sees
# it — not the administrator, auditors, site officers or the external auditor, through any
# page, the API, exports, search or the evidence pack.
register(ScreeningRecord, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(admin=roles.NONE, top=roles.READ_EXPORT, officer=roles.NONE,
                            auditor=roles.NONE, contributor=roles.NONE, viewer=roles.NONE,
                            external=roles.NONE))
# Awareness campaigns (ISO 28000 7.3) are run at sites like other site records: the site's
# officer and contributors run them there, everybody in scope reads them.
register(AwarenessCampaign, site_paths=("sites",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
