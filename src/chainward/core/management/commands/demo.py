"""`chainward demo`: migrate, load catalogues and create (or reuse) the ABC Logistics demo."""

import io
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from chainward.audits.demo import build_audits_demo
from chainward.certification.demo import build_certification_demo
from chainward.compliance.demo import build_compliance_demo
from chainward.context.demo import build_context_demo
from chainward.documents.demo import build_documents_demo
from chainward.fieldchecks.demo import build_fieldchecks_demo
from chainward.incidents.demo import build_incidents_demo
from chainward.ledger.context import actor_context
from chainward.partners.demo import build_partners_demo
from chainward.people.demo import build_people_demo
from chainward.plans.demo import build_objectives_demo, build_security_plan_demo
from chainward.risk.demo import build_risk_demo
from chainward.supplychain import demo


class Command(BaseCommand):
    help = ("Migrate, load the catalogues and create the ABC Logistics demo organisation with "
            "its administrator; safe to run again (nothing changes the second time).")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("catalogs", "load", stdout=self.stdout._out if options["verbosity"] > 1
                     else io.StringIO())
        with actor_context(None, name="chainward demo", reason="demo data"), \
                transaction.atomic():
            tally = demo.Tally()
            organisation = demo.ensure_organisation(tally)
            admin, password = demo.ensure_admin()
            # Administrators need two-step sign-in: the demo's gets an authenticator key and
            # recovery codes, printed below (once), unless it has set one up already.
            two_step = demo.ensure_admin_authenticator(admin)
            counts, records = demo.build_demo(organisation, admin)
            tally.created += records.created
            tally.updated += records.updated
            # Documents before compliance: the gap assessments' evidence names the approved
            # versions of controlled documents.
            counts["new documents"] = build_documents_demo(organisation, admin)
            compliance_counts, compliance = build_compliance_demo(organisation, admin)
            counts.update(compliance_counts)
            tally.created += compliance.created
            tally.updated += compliance.updated
            counts["objectives"] = len(build_objectives_demo(organisation, admin))
            # Risk before plans (the security plan is generated from the assessment), audits
            # before certification (the management review compiles the audit results).
            counts.update(build_risk_demo(organisation, admin))
            counts["security plans"] = build_security_plan_demo(organisation, admin)
            counts.update(build_audits_demo(organisation, admin))
            # Incidents after the assessment (they mark its ratings), before the review pack.
            counts.update(build_incidents_demo(organisation, admin))
            # Field checks after incidents (its failed checks follow the deadlines there).
            counts.update(build_fieldchecks_demo(organisation, admin))
            # People and context before certification (its review pack reads them).
            counts.update(build_people_demo(organisation, admin))
            counts.update(build_context_demo(organisation, admin))
            counts.update(build_partners_demo(organisation, admin))
            counts.update(build_certification_demo(organisation, admin))

        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/"
        reset = f"`chainward changepassword {demo.ADMIN_EMAIL}`"
        self.stdout.write(f"{organisation.name} demo is ready at {url}")
        self.stdout.write(f"  e-mail:   {admin.email}")
        if password:
            self.stdout.write(f"  password: {password}")
            self.stdout.write(f"  (shown only this once; {reset} sets a new one)")
        else:
            self.stdout.write(f"  existing administrator: password unchanged ({reset} resets it)")
        if two_step:
            key, url, codes = two_step
            self.stdout.write(f"  two-step key: {key}")
            self.stdout.write("  (add it to an authenticator app, typed or as "
                              f"{url} ; it asks for its 6-digit code after the password)")
            self.stdout.write(f"  recovery codes: {' '.join(codes)}")
            self.stdout.write("  (each works once in place of a code; shown only this once)")
        else:
            self.stdout.write("  two-step sign-in: already set up, unchanged")
        summary = ", ".join(f"{number} {name}" for name, number in counts.items())
        self.stdout.write(f"Demo data: {summary}; {tally.created} records created, "
                          f"{tally.updated} updated.")
