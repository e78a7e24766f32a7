"""The awareness campaign and the screening records of the demo (issue 16 items 3, 4): the
policy campaign stands at 80 % (four of its five role holders acknowledged the policy: 2 of 3
at head office, Hamburg's and Poland's officers), and screening is due for the new Hamburg
gate controller (never screened) and one Poznań controller (due again within 30 days) — for
the security manager only; the Hamburg site officer sees no screening at all."""

from chainward.access.models import User
from chainward.people import services
from chainward.people.models import AwarenessCampaign
from chainward.people.pack_sections import screening
from tests.demo.support import pack_section

MANAGER = "m.weber@abc-logistics.example"
OFFICER = "j.petersen@abc-logistics.example"


def test_the_policy_campaign_is_at_80_percent(demo):
    [campaign] = AwarenessCampaign.objects.filter(organisation=demo)
    [progress] = services.campaign_progress([campaign])
    assert progress.rate == 80
    assert [(s.name, s.audience, s.acknowledged) for s in progress.sites] == [
        ("Head office", 3, 2), ("Hamburg Billbrook warehouse", 1, 1),
        ("Poznań warehouse", 1, 1)]


def test_screening_due_for_the_manager_only(demo):
    manager, officer = User.objects.get(email=MANAGER), User.objects.get(email=OFFICER)
    due = {p.full_name: why for p, why, _ in services.screening_due(manager, demo)}
    assert due == {"Ole Hansen": "no screening on record",
                   "Piotr Kowalczyk": "screening due again"}
    assert services.screening_due(officer, demo) == []
    assert pack_section(screening, demo, officer)[0] == []
    [entry], _ = pack_section(screening, demo, manager)
    assert entry.note == "6 people in roles that require screening, 2 due"
