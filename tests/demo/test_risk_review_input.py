"""The management review's "risks" input counts what the risk register shows for the compiling
person: current ratings only, above appetite, not accepted, overdue countermeasures; and the
snapshot of a compiled review keeps those figures."""


from django.utils import timezone

from chainward.access.models import User
from chainward.certification.models import ManagementReview
from chainward.risk.choices import DONE
from chainward.risk.filtersets import unaccepted_q
from chainward.risk.integrations import risks
from chainward.risk.models import Countermeasure, Rating
from chainward.supplychain.models import Organisation


def test_risks_input_equals_the_register(demo_output):
    org = Organisation.objects.get(name="ABC Logistics")
    today = timezone.localdate()
    for email in ("m.weber@abc-logistics.example", "j.petersen@abc-logistics.example"):
        user = User.objects.get(email=email)
        figures = {f["key"]: f["value"] for f in risks(org, user)["figures"]}
        ratings = Rating.objects.restrict(user, "view").filter(
            organisation=org, archived=False, assessment__status="completed")
        assert figures["ratings"] == ratings.count() > 0
        assert figures["above_appetite"] == ratings.filter(above_appetite=True).count()
        assert figures["unaccepted"] == ratings.filter(unaccepted_q()).count()
        assert figures["overdue_countermeasures"] == Countermeasure.objects.restrict(
            user, "view").filter(organisation=org, archived=False, due_date__lt=today).exclude(
            status__in=DONE).count() >= 1
    manager = User.objects.get(email="m.weber@abc-logistics.example")
    officer = User.objects.get(email="j.petersen@abc-logistics.example")
    # The site officer of the Hamburg sites sees fewer ratings than the security manager.
    assert {f["key"]: f["value"] for f in risks(org, officer)["figures"]}["ratings"] < \
        {f["key"]: f["value"] for f in risks(org, manager)["figures"]}["ratings"]
    # The demo's review was compiled with the input registered: its snapshot holds the
    # figures as they were then.
    review = ManagementReview.objects.get(organisation=org)
    [section] = [s for s in review.snapshot["inputs"] if s["key"] == "risks"]
    assert section["available"]
    assert {f["key"] for f in section["figures"]} >= {"ratings", "above_appetite", "unaccepted"}
