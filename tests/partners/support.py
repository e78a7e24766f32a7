"""Helpers of the partner-link tests: send a request through the UI and read the link from the
message the real SMTP server received; fill in every question as a browser would."""

import datetime
import re
from contextlib import contextmanager
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chainward.partners.models import QuestionnaireRequest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LINK = re.compile(r"https?://[^/\s]+(/partners/q/[A-Za-z0-9_-]+/)")


def send_through_ui(client, manager, *, partner, contact, template, run_on_commit, days=14):
    """The manager sends the request with the register's add form; returns the request."""
    client.force_login(manager)
    with run_on_commit():
        response = client.post(reverse("partners:questionnairerequest_add"), {
            "partner": partner.pk, "contact": contact.pk, "template": template.pk,
            "deadline": (timezone.localdate() + datetime.timedelta(days=days)).isoformat(),
            "message": "Our yearly partner security check."})
    assert response.status_code == 302, response.content.decode()[:3000]
    return QuestionnaireRequest.objects.order_by("-pk").first()


def link_from(message):
    """The path of the one-time link in a received message."""
    return LINK.search(message.text()).group(1)


def answers_post(req, *, no=(), evidence=True):
    """POST data answering every question "yes" (or "no" for those in `no`), with a PDF for
    every question that asks for evidence."""
    data = {}
    for q in req.template.questions.order_by("order"):
        data[f"q{q.pk}"] = "no" if q.pk in no else "yes"
        data[f"c{q.pk}"] = "We do." if q.pk not in no else "Not yet."
        if evidence and (q.evidence_required or q.evidence_hint) and q.pk not in no:
            data[f"e{q.pk}"] = SimpleUploadedFile(f"evidence-{q.pk}.pdf", PDF,
                                                  "application/pdf")
    return data


@contextmanager
def moved_time(days):
    """Every `timezone.now()` (and so `localdate()`) `days` later."""
    real = timezone.now
    with mock.patch("django.utils.timezone.now",
                    lambda: real() + datetime.timedelta(days=days)):
        yield
