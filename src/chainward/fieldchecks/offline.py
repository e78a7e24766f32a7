"""The offline check pages (issue 15 item 5): the templates an inspector can record offline and
one page per template, cached on the phone by the service worker; the service worker itself and
the web app manifest, served at the site root so that the worker's scope covers the pages.

The pages are plain server-rendered forms; static chainward/offline.js keeps a recorded run in
the phone's IndexedDB and sends it to POST /api/fieldchecks/runs/sync/ (sync.sync_run) when the
network is there. No inline script (strict CSP); everything else stays server-rendered."""

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from chainward.core.scope import allows
from chainward.supplychain.models import Site

from .choices import SignatureRole
from .forms import AnswerForm, SignatureForm
from .models import CheckRun, CheckTemplate
from .sync import template_revision


def _templates(request):
    if not request.organisation or not request.user.has_perm("fieldchecks.add_checkrun"):
        raise PermissionDenied("You may not record check runs.")
    return CheckTemplate.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False, active=True)


def _sites(request):
    """The sites where the person may record a check run (their scope)."""
    org = request.organisation
    sites = Site.objects.restrict(request.user, "view").filter(organisation=org,
                                                               archived=False)
    return [s for s in sites.order_by("name")
            if allows(request.user, "add", CheckRun(organisation=org, site=s))]


@login_required
def offline_checks(request):
    """The check templates in use, each a page that works without a network."""
    return render(request, "fieldchecks/offline_checks.html", {
        "templates": list(_templates(request).order_by("name"))})


@login_required
def offline_run(request, pk):
    """Record a run of one template — online or not: the phone keeps it until it is sent."""
    template = _templates(request).filter(pk=pk).first()
    if template is None:
        raise Http404("No check template in use with this id.")
    sections = {}
    for item in template.items.filter(archived=False).order_by("order", "pk"):
        sections.setdefault(item.section, []).append((item, AnswerForm(item=item)))
    signers = [SignatureRole.INSPECTOR] + (
        [SignatureRole.DRIVER] if template.driver_signature_required else [])
    return render(request, "fieldchecks/offline_run.html", {
        "template": template, "revision": template_revision(template),
        "sections": list(sections.items()), "sites": _sites(request),
        "signatures": [(role, SignatureForm(role=role)) for role in signers]})


@require_GET
def service_worker(request):
    """static chainward/sw.js at /sw.js: a worker's scope is at most the folder it is served
    from, and it must cover /fieldchecks/offline/. Never cached by the browser, so that a new
    version is picked up."""
    path = finders.find("chainward/sw.js")
    if path is None:  # pragma: no cover - the file ships with the package
        raise Http404("No service worker.")
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    """The web app manifest: the offline checks install as an app on the phone's home
    screen."""
    return JsonResponse({
        "name": "Chainward field checks", "short_name": "Checks",
        "start_url": "/fieldchecks/offline/", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#212529",
        "icons": [{"src": static("chainward/favicon.svg"), "sizes": "any",
                   "type": "image/svg+xml"}],
    }, content_type="application/manifest+json")
