"""The partner's link pages (no account: the link is the credential; they show only the
questionnaire and the organisation's name) and the reviewer's buttons on a request's page."""

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chainward.access.throttle import client_address
from chainward.core import files
from chainward.library.models import Framework

from . import links, services
from .forms import AnswersForm, FollowUpForm, ReviewForm, SignForm
from .models import Answer, QuestionnaireRequest

# --- the partner's pages ------------------------------------------------------------------------
# The link (the credential) never leaves in a Referer to another site. "same-origin", not
# "no-referrer": under "no-referrer" browsers send `Origin: null` with the form posts, which
# Django's CSRF check refuses (found by the browser test of the link).
_NO_REFERRER = {"Referrer-Policy": "same-origin", "X-Robots-Tag": "noindex, nofollow"}


def _respond(request, template, context, status=200):
    response = render(request, template, context, status=status)
    for header, value in _NO_REFERRER.items():
        response[header] = value
    return response


def _open(request, token):
    """(req, None) or (None, refusal response); sets the answering-session cookie."""
    address = client_address(request)
    if links.throttled(address):
        return None, _respond(request, "partners/link_gone.html", {
            "message": "Too many requests from your address. Wait ten minutes and open the "
                       "link again."}, status=429)
    secret = request.COOKIES.get(links.SESSION_COOKIE) or ""
    fresh = not secret
    if fresh:
        secret = secrets.token_urlsafe(24)
    try:
        req = services.open_link(token, secret, address=address)
    except services.LinkRefused as refused:
        return None, _respond(request, "partners/link_gone.html",
                              {"message": refused.message}, status=refused.status)
    request.answer_cookie = secret if fresh else None
    return req, None


def _with_cookie(request, response):
    if getattr(request, "answer_cookie", None):
        response.set_cookie(links.SESSION_COOKIE, request.answer_cookie, httponly=True,
                            samesite="Lax", secure=request.is_secure(),
                            path=reverse("partners:link", args=["x"]).rsplit("x/", 1)[0])
    return response


@never_cache
def link(request, token):
    """The questionnaire: answer, upload evidence, save; then sign."""
    req, refused = _open(request, token)
    if refused:
        return refused
    questions = services.questions_of(req)
    answers = {a.question_id: a for a in req.answers.all()}
    form = AnswersForm(questions, answers, request.POST or None, request.FILES or None)
    upload_errors = {}
    if request.method == "POST" and form.is_valid():
        upload_errors = services.save_answers(req, form.values(), form.uploads())
        if not upload_errors:
            target = "partners:sign" if "sign" in request.POST else "partners:link"
            return _with_cookie(request, redirect(target, token=token))
        answers = {a.question_id: a for a in req.answers.all()}
    return _with_cookie(request, _respond(request, "partners/link_answer.html", {
        "req": req, "form": form, "answers": answers, "upload_errors": upload_errors}))


@never_cache
def sign(request, token):
    """Read the answers back, type name and role, sign the declaration."""
    req, refused = _open(request, token)
    if refused:
        return refused
    form = SignForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_request(req, address=client_address(request), **form.cleaned_data)
        except ValidationError as invalid:
            for field, problems in invalid.message_dict.items():
                errors += problems if field == "__all__" else [f"{p}" for p in problems]
        else:
            return _respond(request, "partners/link_done.html", {"req": req})
    answers = list(req.answers.select_related("question").order_by("question__order"))
    return _with_cookie(request, _respond(request, "partners/link_sign.html", {
        "req": req, "form": form, "answers": answers, "errors": errors,
        "missing": services.missing_for_signature(req)}))


# --- the reviewer's buttons --------------------------------------------------------------------
def _request_for(request, pk, action="view"):
    return get_object_or_404(QuestionnaireRequest.objects.restrict(request.user, action), pk=pk)


def _refusal(request, exc):
    if isinstance(exc, PermissionDenied):
        raise exc
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def review(request, pk):
    req = _request_for(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or return.")
        return redirect(req)
    try:
        services.review_request(request.user, req, accept=form.cleaned_data["decision"]
                                == "accept", notes=form.cleaned_data["notes"])
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(req)


@login_required
@require_POST
def follow_up(request, pk):
    req = _request_for(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Describe the action and give its due date.")
        return redirect(req)
    data = form.cleaned_data
    answer = req.answers.filter(pk=data["answer"]).first() if data["answer"] else None
    owner = None
    if data["corrective_owner"]:
        owner = get_user_model().objects.filter(pk=data["corrective_owner"]).first()
    try:
        services.add_follow_up(request.user, req, description=data["description"],
                               due_date=data["due_date"], answer=answer,
                               corrective_owner=owner)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(req)


@login_required
@require_POST
def resend(request, pk):
    req = _request_for(request, pk)
    try:
        services.resend_request(request.user, req)
        messages.success(request, f"A new link was sent to {req.contact.email}; the old one "
                                  "no longer works.")
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect(req)


@login_required
def evidence(request, pk):
    """Download an answer's evidence (as an attachment) for someone who may see the answer."""
    answer = get_object_or_404(Answer.objects.restrict(request.user, "view"), pk=pk)
    if not answer.evidence_file:
        raise Http404("No evidence was uploaded.")
    return files.download_response(answer.evidence_file, filename=answer.evidence_name,
                                   content_type=answer.evidence_type)


@login_required
def from_catalogue(request):
    """Build a questionnaire template from a catalogue framework (e.g. C-TPAT carriers) or
    from one of the shipped declarations (ISO 28001 4.2, EU AEO)."""
    from chainward.supplychain.choices import PartnerKind

    if not request.user.has_perm("partners.add_questionnairetemplate"):
        raise PermissionDenied
    frameworks = Framework.objects.filter(retired=False).order_by("name")
    declarations = services.shipped_declarations()
    kinds = dict(PartnerKind.choices)
    if request.method == "POST":
        kind = request.POST.get("partner_kind", "")
        kind = kind if kind in kinds else ""
        try:
            if request.POST.get("declaration") is not None:
                template = services.template_from_shipped(
                    request.user, request.organisation, request.POST["declaration"],
                    partner_kind=kind)
            else:
                framework = get_object_or_404(frameworks, pk=request.POST.get("framework"))
                template = services.template_from_framework(
                    request.user, request.organisation, framework, partner_kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
        else:
            messages.success(request, f"{template} was built with its questions.")
            return redirect(template)
    return render(request, "partners/from_catalogue.html",
                  {"frameworks": frameworks, "kinds": PartnerKind.choices,
                   "declarations": [(key, row["name"], row.get("description", ""))
                                    for key, row in declarations.items()]})
