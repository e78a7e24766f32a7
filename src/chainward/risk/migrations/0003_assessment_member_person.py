"""An assessment team member becomes a link to a person of the staff register (ISO 28001 5.3,
issue 16): their training records show their qualification. Existing members are linked to the
staff record of their own account in the same organisation, each link ledgered; a member whose
account has no staff record keeps the account and the free-text notes until someone links the
person (the notes stay as "qualification notes": converting them would lose what they say)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def link_members_to_staff_records(apps, schema_editor):
    """Set each member's person from their account; one ledger entry per member linked."""
    member_model = apps.get_model("risk", "AssessmentMember")
    person_model = apps.get_model("people", "Person")
    members = list(member_model.objects.filter(person__isnull=True, user__isnull=False)
                   .order_by("pk"))
    if not members:
        return
    from chainward.ledger.context import actor_context
    from chainward.ledger.services import append_entry

    with actor_context(None, name="migration risk 0003 (assessment team to staff records)"):
        for member in members:
            person = person_model.objects.filter(
                organisation_id=member.organisation_id, user_id=member.user_id).order_by(
                "archived", "pk").first()
            if person is None:
                continue
            member_model.objects.filter(pk=member.pk).update(person_id=person.pk)
            append_entry("update", object_type="risk.assessmentmember", object_id=member.pk,
                         object_repr=f"{person.full_name} — {member.role_in_team}"[:200],
                         organisation_id=member.organisation_id, before={"person": None},
                         after={"person": person.pk},
                         reason="team member linked to the staff record of their account")


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_training_courses_sessions'),
        ('risk', '0002_process_targets_not_credible_measure_links'),
        ('supplychain', '0003_exemption_programme_status_partner_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='assessmentmember',
            name='risk_member_once',
        ),
        migrations.AddField(
            model_name='assessmentmember',
            name='person',
            field=models.ForeignKey(help_text='From the staff register: their training records show their qualification.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessment_memberships', to='people.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='assessmentmember',
            name='qualifications',
            field=models.TextField(blank=True, help_text="Only what the person's training records do not show (experience, sector knowledge); the records themselves are listed on the assessment.", verbose_name='qualification notes'),
        ),
        migrations.AlterField(
            model_name='assessmentmember',
            name='user',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessment_memberships', to=settings.AUTH_USER_MODEL, verbose_name='user account'),
        ),
        migrations.AddConstraint(
            model_name='assessmentmember',
            constraint=models.UniqueConstraint(fields=('assessment', 'person'), name='risk_member_person_once', violation_error_message='This person is already in the team.'),
        ),
        # Last: no schema change follows the data change (PostgreSQL's deferred foreign-key
        # checks would refuse an ALTER TABLE after it in the same transaction).
        migrations.RunPython(link_members_to_staff_records, migrations.RunPython.noop),
    ]
