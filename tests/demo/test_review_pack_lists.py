"""The management-review pack on the demo lists its accepted risks with who accepted them and
until when, and readiness with its % sign; the expected lists are the registers read directly,
never the input functions' own output (tests/certification/test_review_pack_lists.py has the
hand-built states)."""


from django.template.loader import render_to_string

from chainward.access.models import User
from chainward.certification import services
from chainward.risk.models import RiskAcceptance


def test_demo_pack_lists_accepted_risks_and_readiness_with_percent(demo):
    manager = User.objects.get(email="m.weber@abc-logistics.example")
    inputs = {s["key"]: s for s in services.compile_inputs(demo, manager)}
    accepted = inputs["risks"]["lists"][0]
    acceptances = RiskAcceptance.objects.filter(
        organisation=demo, archived=False, rating__archived=False,
        rating__assessment__status="completed", rating__assessment__archived=False)
    assert acceptances.count() > 0
    assert accepted["total"] == acceptances.count()
    for acceptance in acceptances.select_related("accepted_by", "rating"):
        row = next(r for r in accepted["rows"]
                   if r["detail"].startswith(f"{acceptance.reference} "))
        assert row["text"].startswith(acceptance.rating.reference)
        assert f"accepted by {acceptance.accepted_by.full_name}" in row["detail"]
        assert f"{acceptance.valid_until:%Y-%m-%d}" in row["detail"]
    html = render_to_string("certification/_snapshot.html",
                            {"snapshot": {"inputs": list(inputs.values())}})
    # Readiness with its % sign (the demo's ISO 28000 readiness figure).
    figure = next(f for f in inputs["readiness"]["figures"]
                  if f["key"] == "ISO28000-2022" or "28000" in f["label"])
    assert figure["value"] is not None
    assert f"{figure['value']}%</td>" in html
    assert "Accepted risks (acceptor and expiry)" in html
