"""Partner assurance workflows (ISO 28001 4.2, 4.5; C-TPAT 3.x): templates from catalogues,
sending a request by one-time link, what the contact may do through it (open, answer, upload,
sign), review, follow-up, and what falls due.

Staff write through `core.services.save_record` (scope re-checked, ledgered). The contact has
no account: the link is their only credential, and their writes are attributed in the ledger
to a named actor ("partner contact …, link QR-0001") — every row they change is ledgered by
the ledger signals like any save, and signing appends the SHA-256 of the frozen answers.
"""

import contextvars
import datetime
import hashlib
import json
import logging
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chainward.core import files, yamlfiles
from chainward.core.services import save_record
from chainward.ledger.context import acting_as, actor_context
from chainward.ledger.services import append_entry
from chainward.notifications.services import absolute, notify

from . import links
from .choices import (
    ANSWERABLE,
    AnswerType,
    FollowUpStatus,
    RequestStatus,
    TemplateKind,
    TemplateStatus,
)
from .models import Answer, FollowUpAction, Question, QuestionnaireRequest, QuestionnaireTemplate

logger = logging.getLogger(__name__)

EVIDENCE_FOLDER = "partners/evidence"
RENEW_BEFORE_DAYS = 30
REMIND_BEFORE_DAYS = 7


# --- templates from the catalogues -------------------------------------------------------------
def template_from_framework(user, organisation, framework, *, name=None, partner_kind="",
                            declaration_text=None):
    """A questionnaire with one section per category and one yes/no question per assessable
    criterion of a catalogue framework (e.g. the C-TPAT criteria of highway carriers); a "must"
    criterion with documented evidence asks for an upload, every "no" needs follow-up."""
    from chainward.library.models import Requirement

    criteria = list(Requirement.objects.filter(framework=framework, assessable=True)
                    .select_related("parent").order_by("order"))
    if not criteria:
        raise ValidationError(f"{framework.name} has no criteria to ask about.")
    with transaction.atomic():
        template = QuestionnaireTemplate(
            organisation=organisation, name=(name or f"{framework.name} — partner "
                                                     "questionnaire")[:200],
            partner_kind=partner_kind, source=framework.urn,
            description=f"Built from {framework.name}: one question per criterion.",
            declaration_text=declaration_text or (
                "I declare that the answers given are true and complete to the best of my "
                "knowledge, that I am authorised to give them for the company named, and that "
                "we will tell you without delay of any change that affects them."))
        template.full_clean()
        save_record(user, template)
        for order, req in enumerate(criteria, start=1):
            must = req.flag == "must"
            question = Question(
                organisation=organisation, template=template,
                section=(f"{req.parent.ref_id} {req.parent.title}" if req.parent else
                         framework.ref_id)[:200],
                order=order, text=f"{req.ref_id} {req.title}: {req.paraphrase}".strip()[:2000],
                guidance=("Evidence we expect: " + "; ".join(req.evidence_examples))
                if req.evidence_examples else "",
                answer_type=AnswerType.YES_NO,
                evidence_required=must and bool(req.evidence_examples),
                evidence_hint="; ".join(req.evidence_examples)[:300],
                follow_up_on_no=True, requirement_ref=req.urn[:200])
            question.full_clean()
            save_record(user, question)
    return template


SHIPPED_DECLARATIONS = Path(__file__).with_name("declarations.yaml")


def shipped_declarations():
    """The declarations shipped with Chainward (`declarations.yaml`): {key: definition}."""
    data = yamlfiles.safe_load(SHIPPED_DECLARATIONS.read_text(encoding="utf-8"))
    return {row["key"]: row for row in data["declarations"]}


def template_from_definition(user, organisation, definition, *, partner_kind=None):
    """A template and its questions from a data definition (a shipped declaration, the demo's
    own): name, kind, declaration text and questions with section, text, type, evidence asked
    for (a "yes" then needs an upload) and whether a "no" needs follow-up."""
    with transaction.atomic():
        template = QuestionnaireTemplate(
            organisation=organisation, name=definition["name"][:200],
            kind=definition.get("kind", TemplateKind.QUESTIONNAIRE),
            partner_kind=definition.get("partner_kind", "") if partner_kind is None
            else partner_kind,
            description=definition.get("description", ""),
            declaration_text=definition["declaration"],
            source=definition.get("source", "")[:200])
        template.full_clean()
        save_record(user, template)
        for order, row in enumerate(definition["questions"], start=1):
            question = Question(
                organisation=organisation, template=template, section=row["section"][:200],
                order=order, text=row["text"], guidance=row.get("guidance", ""),
                answer_type=row.get("type", AnswerType.YES_NO),
                evidence_required=bool(row.get("evidence")),
                evidence_hint=row.get("evidence", "")[:300],
                follow_up_on_no=row.get("follow_up", True))
            question.full_clean()
            save_record(user, question)
    return template


def template_from_shipped(user, organisation, key, *, partner_kind=None):
    """A template from one of the shipped declarations (ISO 28001 4.2, EU AEO)."""
    definition = shipped_declarations().get(key)
    if definition is None:
        raise ValidationError({"declaration": "Choose one of the declarations listed."})
    return template_from_definition(user, organisation, definition, partner_kind=partner_kind)


# --- sending ------------------------------------------------------------------------------------
def link_url(token):
    """The absolute link the contact receives."""
    return absolute(reverse("partners:link", args=[token]))


_mail_links = contextvars.ContextVar("chainward_partner_links_mailed", default=True)


@contextmanager
def links_not_mailed():
    """The demo: links are issued (and ledgered) but not e-mailed to the example addresses."""
    token = _mail_links.set(False)
    try:
        yield
    finally:
        _mail_links.reset(token)


def issue_link(user, req):
    """Give `req` a fresh one-time link (any earlier one stops working) and e-mail it to the
    contact once the transaction commits. Only the token's SHA-256 is stored; the token itself
    lives in the e-mail alone (it is never queued in the database)."""
    token = links.new_token()
    now = timezone.now()
    req.token_sha256, req.session_sha256 = links.token_hash(token), ""
    req.sent_by, req.sent_at = user, now
    req.link_expires_at = now + datetime.timedelta(days=req.template.link_days)
    req.status = RequestStatus.SENT
    req.save(update_fields=["token_sha256", "session_sha256", "sent_by", "sent_at",
                            "link_expires_at", "status"])
    append_entry("questionnaire_sent", obj=req, organisation_id=req.organisation_id,
                 after={"contact": req.contact.email, "template": req.template.reference,
                        "link_expires_at": req.link_expires_at.isoformat()})
    req.link_token = token  # for the caller in this process only; never stored
    if _mail_links.get():
        url = link_url(token)
        transaction.on_commit(lambda: _mail_link(req.pk, url))
    return token


def _mail_link(request_id, url):
    req = QuestionnaireRequest.objects.select_related(
        "contact", "partner", "template", "organisation").get(pk=request_id)
    context = {"req": req, "url": url}
    try:
        send_mail(render_to_string("partners/request_subject.txt", context).strip(),
                  render_to_string("partners/request_email.txt", context), None,
                  [req.contact.email])
    except Exception:  # noqa: BLE001 - the request stays; the page offers "send again"
        logger.exception("questionnaire request %s: e-mail not sent", request_id)


def send_request(user, *, partner, contact, template, deadline, message=""):
    """Send a questionnaire to a partner contact (the demo and tests; the form and the API
    create the record through the register, whose after_save issues the link the same way)."""
    req = QuestionnaireRequest(organisation=partner.organisation, partner=partner,
                               contact=contact, template=template, deadline=deadline,
                               message=message)
    req.full_clean()
    return save_record(user, req)


def resend_request(user, req):
    """A new link for a request not yet signed (the old one stops working)."""
    if not QuestionnaireRequest.objects.restrict(user, "change").filter(pk=req.pk).exists():
        raise PermissionDenied("You may not send this request.")
    if req.status not in ANSWERABLE:
        raise ValidationError("This request was answered already; send a new one.")
    with acting_as(user), transaction.atomic():
        return issue_link(user, req)


# --- what the contact does through the link ----------------------------------------------------
class LinkRefused(Exception):
    """The link cannot be used; `message` says why, `status` is the HTTP status."""

    def __init__(self, message, status=410):
        super().__init__(message)
        self.message, self.status = message, status


def _contact_actor(req):
    return actor_context(None, name=f"partner contact {req.contact.name} <{req.contact.email}>"
                                    f" via link {req.reference}"[:150])


def open_link(token, session_secret, *, address=""):
    """The request of a link, bound to the first browser session that opens it.

    Refuses an unknown token (404), a spent one (signed, reviewed or withdrawn), an expired
    one, and one already opened in another browser session (410)."""
    req = (QuestionnaireRequest.objects.select_related("template", "contact", "partner",
                                                       "organisation")
           .filter(token_sha256=links.token_hash(token or "")).first())
    if req is None:
        if address:
            links.count_bad_token(address)
        raise LinkRefused("This link is not valid. Check that you copied the whole link from "
                          "the e-mail.", status=404)
    if req.status not in ANSWERABLE:
        when = f" on {req.signed_at:%Y-%m-%d}" if req.signed_at else ""
        raise LinkRefused(f"This link was used already: the questionnaire was answered and "
                          f"signed{when}. Ask {req.organisation.name} for a new link if "
                          "something must change.")
    if req.link_expired:
        raise LinkRefused(f"This link expired on {req.link_expires_at:%Y-%m-%d}. Ask "
                          f"{req.organisation.name} to send a new one.")
    session = links.token_hash(session_secret) if session_secret else ""
    if req.session_sha256:
        if session != req.session_sha256:
            raise LinkRefused(f"This link is already being answered in another browser. "
                              f"Continue there, or ask {req.organisation.name} for a new link.")
        return req
    if not session:
        raise LinkRefused("Your browser did not keep our cookie; allow cookies for this site "
                          "and open the link again.", status=400)
    with _contact_actor(req), transaction.atomic():
        req.session_sha256, req.opened_at = session, timezone.now()
        req.status = RequestStatus.OPENED
        req.save(update_fields=["session_sha256", "opened_at", "status"])
        append_entry("questionnaire_opened", obj=req, organisation_id=req.organisation_id,
                     after={"address": address or None})
    return req


def questions_of(req):
    """The template's questions in order."""
    return list(req.template.questions.filter(archived=False).order_by("order", "pk"))


def save_answers(req, values, uploads):
    """Store the contact's answers (`values`: {question_id: {yes, text, date, comment}}) and
    evidence (`uploads`: {question_id: file}); every upload passes the product's content
    checks. Returns {question_id: message} of refused uploads (other answers are kept)."""
    if req.status not in ANSWERABLE or req.link_expired:
        raise LinkRefused("The questionnaire can no longer be changed.")
    errors = {}
    existing = {a.question_id: a for a in req.answers.all()}
    with _contact_actor(req), transaction.atomic():
        for question in questions_of(req):
            data = values.get(question.pk, {})
            answer = existing.get(question.pk) or Answer(
                organisation_id=req.organisation_id, request=req, question=question)
            answer.value_yes = data.get("yes")
            answer.value_text = (data.get("text") or "")[:5000]
            answer.value_date = data.get("date")
            answer.comment = (data.get("comment") or "")[:5000]
            upload = uploads.get(question.pk)
            if upload is not None:
                try:
                    checked = files.check_upload(upload, refuse_unsafe_names=True)
                    answer.evidence_file = files.store(upload, checked, folder=EVIDENCE_FOLDER)
                except files.UploadRefused as refused:
                    errors[question.pk] = refused.message
                else:
                    answer.evidence_name, answer.evidence_type = (checked.safe_name,
                                                                  checked.content_type)
                    answer.evidence_sha256 = checked.sha256
            answer.needs_follow_up = (question.answer_type == AnswerType.YES_NO
                                      and question.follow_up_on_no and answer.value_yes is False)
            answer.save()
    return errors


def missing_for_signature(req):
    """What must still be answered or uploaded before signing (messages)."""
    answers = {a.question_id: a for a in req.answers.all()}
    missing = []
    for question in questions_of(req):
        answer = answers.get(question.pk)
        if question.required:
            empty = answer is None or (
                answer.value_yes is None if question.answer_type == AnswerType.YES_NO else
                answer.value_date is None if question.answer_type == AnswerType.DATE else
                not answer.value_text.strip())
            if empty:
                missing.append(f"Answer “{question.text[:80]}”.")
                continue
        if question.evidence_required and answer is not None and answer.value_yes \
                and not answer.evidence_file:
            missing.append(f"Upload the evidence for “{question.text[:80]}”"
                           f"{': ' + question.evidence_hint if question.evidence_hint else ''}.")
    return missing


def canonical_answers(req):
    """The signed content as canonical JSON: questions, answers, evidence hashes, signature."""
    rows = [{"question": a.question.reference, "text": a.question.text,
             "answer": a.display_value, "comment": a.comment,
             "evidence_sha256": a.evidence_sha256 or None}
            for a in req.answers.select_related("question").order_by("question__order",
                                                                     "question__pk")]
    document = {"request": req.reference, "organisation": req.organisation.name,
                "partner": req.partner.name, "template": req.template.reference,
                "answers": rows, "signed_by": req.signer_name, "role": req.signer_role,
                "signed_text": req.signed_text, "signed_at": req.signed_at.isoformat(),
                "address": req.signer_address}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign_request(req, *, name, role, confirmed, address):
    """The contact signs: name, role, the declaration text as shown, time and address; the
    answers are frozen and their SHA-256 goes into the ledger."""
    if req.status not in ANSWERABLE or req.link_expired:
        raise LinkRefused("The questionnaire can no longer be signed.")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Type your full name."
    if not (role or "").strip():
        errors["role"] = "Give your role in the company."
    if not confirmed:
        errors["confirmed"] = "Tick the box to confirm the declaration."
    missing = missing_for_signature(req)
    if missing:
        errors["__all__"] = missing
    if errors:
        raise ValidationError(errors)
    with _contact_actor(req), transaction.atomic():
        req.signer_name, req.signer_role = name.strip()[:150], role.strip()[:150]
        req.signed_text, req.signed_at = req.template.declaration_text, timezone.now()
        req.signer_address = address or None
        req.status = RequestStatus.SIGNED
        req.answers_sha256 = hashlib.sha256(canonical_answers(req).encode()).hexdigest()
        req.save(update_fields=["signer_name", "signer_role", "signed_text", "signed_at",
                                "signer_address", "status", "answers_sha256"])
        append_entry("questionnaire_signed", obj=req, organisation_id=req.organisation_id,
                     after={"sha256": req.answers_sha256, "signed_by": req.signer_name,
                            "role": req.signer_role, "address": req.signer_address})
        if req.sent_by is not None:
            notify(req.sent_by, kind="questionnaire", organisation=req.organisation,
                   key=f"questionnaire-signed:{req.pk}:{req.answers_sha256[:12]}",
                   title=f"{req.partner} answered and signed {req.reference}: review it",
                   url=req.get_absolute_url())
    return req


# --- review and follow-up ----------------------------------------------------------------------
def _may_review(user, req):
    if not QuestionnaireRequest.objects.restrict(user, "review").filter(pk=req.pk).exists():
        raise PermissionDenied("You may not review this questionnaire.")


def review_request(user, req, *, accept, notes="", today=None):
    """Accept the signed answers (the partner's declaration is valid for the template's
    months and a questionnaire review is recorded, ISO 28001 4.5) or return them."""
    from chainward.supplychain.choices import ReviewMethod, ReviewOutcome
    from chainward.supplychain.services import record_partner_review

    _may_review(user, req)
    if req.status != RequestStatus.SIGNED:
        raise ValidationError("Only answered and signed questionnaires are reviewed.")
    today = today or timezone.localdate()
    flagged = req.answers.filter(needs_follow_up=True).count()
    with acting_as(user), transaction.atomic():
        req.reviewed_by, req.reviewed_at, req.review_notes = user, timezone.now(), notes
        if accept:
            req.status = RequestStatus.ACCEPTED
            req.valid_until = _add_months(today, req.template.validity_months)
        else:
            req.status = RequestStatus.RETURNED
        save_record(user, req)
        append_entry("questionnaire_reviewed", obj=req, organisation_id=req.organisation_id,
                     after={"accepted": bool(accept), "valid_until": req.valid_until.isoformat()
                            if req.valid_until else None, "flagged_answers": flagged})
        if accept:
            record_partner_review(
                user, req.partner, reviewed_on=today, method=ReviewMethod.QUESTIONNAIRE,
                outcome=ReviewOutcome.ACTIONS if flagged else ReviewOutcome.SATISFACTORY,
                reviewer=user.get_full_name() or user.email,
                findings=f"{req.template} ({req.reference}) signed by {req.signer_name} on "
                         f"{req.signed_at:%Y-%m-%d}; {flagged} answer(s) need follow-up. "
                         f"{notes}".strip())
    return req


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def add_follow_up(user, req, *, description, due_date, answer=None, corrective_owner=None):
    """A follow-up action for the partner after a "no" or weak answer; with
    `corrective_owner`, also our own corrective action (whose owner is told at once)."""
    from chainward.audits.choices import CapaSource
    from chainward.audits.models import CorrectiveAction

    _may_review(user, req)
    if req.status not in (RequestStatus.SIGNED, RequestStatus.ACCEPTED):
        raise ValidationError("Follow-up actions come from signed answers.")
    with acting_as(user), transaction.atomic():
        action = FollowUpAction(organisation_id=req.organisation_id, request=req,
                                answer=answer, description=description, due_date=due_date)
        if corrective_owner is not None:
            capa = CorrectiveAction(
                organisation_id=req.organisation_id, source=CapaSource.OTHER,
                title=f"Partner {req.partner}: {description}"[:200],
                description=f"From {req.reference} ({req.template})"
                            + (f", answer to “{answer.question.text[:200]}”" if answer else "")
                            + f": {description}",
                owner=corrective_owner, due_date=due_date)
            capa.full_clean()
            action.corrective_action = save_record(user, capa)
        action.full_clean()
        return save_record(user, action)


def close_follow_up(user, action, *, done_on=None):
    """The partner did it."""
    action.status, action.done_on = FollowUpStatus.DONE, done_on or timezone.localdate()
    action.full_clean()
    return save_record(user, action)


# --- what falls due -----------------------------------------------------------------------------
def declaration_state(partner, on=None):
    """The partner's latest accepted declaration: (request or None, "valid"|"due"|"expired")."""
    on = on or timezone.localdate()
    latest = (partner.questionnaire_requests.filter(archived=False,
                                                    status=RequestStatus.ACCEPTED)
              .order_by("-valid_until").first())
    if latest is None:
        return None, "none"
    if latest.valid_until < on:
        return latest, "expired"
    if latest.valid_until <= on + datetime.timedelta(days=RENEW_BEFORE_DAYS):
        return latest, "due"
    return latest, "valid"


def due_requests(queryset, on=None):
    """Rows of what the reviewer must do: answers to review, answers overdue from the partner
    (escalation), declarations to renew (expiring within RENEW_BEFORE_DAYS or expired and not
    asked again since)."""
    on = on or timezone.localdate()
    rows = []
    live = queryset.filter(archived=False).select_related("partner", "template")
    for req in live.filter(status=RequestStatus.SIGNED).order_by("signed_at"):
        rows.append((req, "answered — to review", req.deadline, False))
    for req in live.filter(status__in=ANSWERABLE, deadline__lt=on).order_by("deadline"):
        rows.append((req, "not answered by the deadline — chase the partner", req.deadline,
                     True))
    # One query: a later request for the same partner and template (not withdrawn) means the
    # renewal is under way.
    newer = QuestionnaireRequest.objects.filter(
        partner=OuterRef("partner"), template=OuterRef("template"), archived=False,
        sent_at__gt=OuterRef("sent_at")).exclude(status=RequestStatus.WITHDRAWN)
    renew = (live.filter(status=RequestStatus.ACCEPTED,
                         valid_until__lte=on + datetime.timedelta(days=RENEW_BEFORE_DAYS))
             .exclude(Exists(newer)))
    for req in renew.order_by("valid_until"):
        label = "declaration expired — renew" if req.valid_until < on \
            else "declaration expires — renew"
        rows.append((req, label, req.valid_until, req.valid_until < on))
    return rows


def remind_contacts(today=None):
    """E-mail contacts whose deadline is within REMIND_BEFORE_DAYS and who were not reminded
    yet (the link itself is not stored, so the reminder points to the first e-mail)."""
    today = today or timezone.localdate()
    due = (QuestionnaireRequest.objects.filter(
        archived=False, status__in=ANSWERABLE, reminded_at__isnull=True,
        deadline__lte=today + datetime.timedelta(days=REMIND_BEFORE_DAYS),
        deadline__gte=today).select_related("contact", "partner", "organisation", "template"))
    sent = 0
    for req in due:
        context = {"req": req}
        try:
            send_mail(render_to_string("partners/reminder_subject.txt", context).strip(),
                      render_to_string("partners/reminder_email.txt", context), None,
                      [req.contact.email])
        except Exception:  # noqa: BLE001
            logger.exception("reminder for %s not sent", req.pk)
            continue
        with actor_context(None, name="daily reminders"), transaction.atomic():
            req.reminded_at = timezone.now()
            req.save(update_fields=["reminded_at"])
        sent += 1
    return sent


def active_templates(organisation):
    """Templates in use, for the send form."""
    return QuestionnaireTemplate.objects.filter(organisation=organisation, archived=False,
                                                status=TemplateStatus.ACTIVE)
