"""The ABC Logistics partner-assurance demo (issue 17 item 7), loaded from `demo.yaml`:
questionnaire templates per partner type and requests in every state, written through the
services (the link is issued, opened, answered, signed and reviewed as in real use). The
review's date sets each declaration's validity, so the states (valid, due, expired) come out of
the same rule as in use; signing times stay real (they are part of the signed, hashed content).
Only the overdue request's sending date and deadline are set in the past, with the ledgered
`update_records`.

Idempotent: when the first template of the file exists (found by name) nothing is written.
"""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chainward.core import yamlfiles
from chainward.core.services import update_records
from chainward.library.models import Framework
from chainward.supplychain.models import Partner, PartnerContact

from . import services
from .choices import AnswerType
from .models import QuestionnaireRequest, QuestionnaireTemplate

DATA = Path(__file__).with_name("demo.yaml")
# A one-page PDF for the evidence uploads (it passes the upload checks like any file).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
REASON = "demo: dated in the past"


def _days(n):
    return timezone.localdate() - datetime.timedelta(days=int(n))


def _template(admin, organisation, row):
    if row.get("framework"):
        framework = Framework.objects.filter(urn=row["framework"]).first()
        if framework is None:
            return None
        return services.template_from_framework(admin, organisation, framework,
                                                name=row["name"],
                                                partner_kind=row.get("partner_kind", ""))
    return services.template_from_definition(admin, organisation, row)


def _answer_and_sign(req, token, contact, *, no_first=False):
    services.open_link(token, f"demo-{req.pk}", address="192.0.2.10")
    values, uploads, said_no = {}, {}, False
    for q in services.questions_of(req):
        no = no_first and not said_no and q.answer_type == AnswerType.YES_NO \
            and not q.evidence_required
        said_no = said_no or no
        values[q.pk] = {"yes": (not no) if q.answer_type == AnswerType.YES_NO else None,
                        "text": "Control room +49 40 555 0199 (24/7)"
                        if q.answer_type == AnswerType.TEXT else "",
                        "comment": "Planned for next quarter." if no else ""}
        if q.evidence_required:
            uploads[q.pk] = SimpleUploadedFile(f"{q.reference}-evidence.pdf", PDF,
                                               "application/pdf")
    services.save_answers(req, values, uploads)
    services.sign_request(req, name=contact.name, role=contact.title or "Security contact",
                          confirmed=True, address="192.0.2.10")


def build_partners_demo(organisation, admin):
    """Create the demo's templates and requests (once); returns counts by kind."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    if QuestionnaireTemplate.objects.filter(organisation=organisation,
                                            name=data["templates"][0]["name"]).exists():
        return {"questionnaire templates": 0, "partner questionnaires": 0}
    templates = {row["key"]: _template(admin, organisation, row) for row in data["templates"]}
    made = 0
    with services.links_not_mailed():
        for row in data["requests"]:
            template = templates.get(row["template"])
            partner = Partner.objects.filter(organisation=organisation,
                                             name=row["partner"]).first()
            contact = PartnerContact.objects.filter(partner=partner,
                                                    name=row["contact"]).first()
            if template is None or contact is None:
                continue
            _request(admin, row, partner, contact, template)
            made += 1
    return {"questionnaire templates": sum(1 for t in templates.values() if t),
            "partner questionnaires": made}


def _request(admin, row, partner, contact, template):
    state = row["state"]
    deadline = _days(row.get("deadline", -14))
    if state == "overdue":
        deadline = timezone.localdate() + datetime.timedelta(days=14)
    req = services.send_request(admin, partner=partner, contact=contact, template=template,
                                deadline=deadline, message="Our yearly partner security check.")
    token = req.link_token
    if state in ("sent", "overdue"):
        if state == "overdue":
            sent = timezone.now() - datetime.timedelta(days=row["sent"])
            update_records(admin, QuestionnaireRequest.objects.filter(pk=req.pk), reason=REASON,
                           touch=False, sent_at=sent, deadline=_days(row["deadline"]))
        return req
    _answer_and_sign(req, token, contact, no_first=state == "follow_up")
    if state == "signed":
        return req
    accepted = _days(row["accepted"])
    services.review_request(admin, req, accept=True, today=accepted,
                            notes="Answers and evidence checked.")
    if state == "follow_up":
        answer = req.answers.filter(needs_follow_up=True).first()
        services.add_follow_up(admin, req, answer=answer, description=row["follow_up"],
                               due_date=_days(row["due"]))
    return req
