"""Pages that are not a register: home, global search, health, organisation switch (login:
access/login.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chainward.core.scope import SESSION_KEY, organisations_of
from chainward.ledger.models import LedgerHead

from .registry import all_registers
from .search import search as search_records
from .search import searchable_registers


@login_required
def home(request):
    """Landing page: the path to certification, the dashboard, the registers in reach."""
    cards = []
    org = request.organisation
    if org:
        for register in all_registers():
            if register.menu_group != "Supply chain":
                continue
            if not request.user.has_perm(f"{register.app_label}.view_{register.model_name}"):
                continue
            count = register.scoped(request.user, org).filter(archived=False).count()
            cards.append((register, count))
    from .dashboard import cards_for
    from .path import steps_for

    dashboard = cards_for(request) if org else []
    # The organisation's home is its path to certification (issue 13 item 2).
    steps = steps_for(request.user, org) if org else []
    return render(request, "core/home.html", {"cards": cards, "dashboard": dashboard,
                                              "steps": steps,
                                              "steps_done": sum(s.done for s in steps)})


@login_required
def search(request):
    """Search every register the user can see, within the active organisation; `?in=<label>`
    narrows it to one kind of record (the "only in …" links on the results)."""
    query = request.GET.get("q", "").strip()
    only = request.GET.get("in", "").strip().lower() or None
    narrowed = next(iter(searchable_registers(only)), None) if only else None
    if only and narrowed is None:
        only = None  # an unknown kind searches everything rather than nothing
    results = search_records(request.user, request.organisation, query, only=only)
    return render(request, "core/search.html", {"query": query, "results": results,
                                                "narrowed": narrowed})


@login_required
@require_POST
def switch_organisation(request):
    """Make another of the user's organisations the active one."""
    try:
        chosen = int(request.POST.get("organisation", ""))
    except ValueError:
        chosen = None
    if chosen in organisations_of(request.user) or request.user.is_superuser:
        request.session[SESSION_KEY] = chosen
    else:
        messages.error(request, "You have no role in that organisation.")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def healthz(request):
    """Liveness and readiness: can we read the database, and where is the ledger head?"""
    status, body = 200, {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report any database failure as unhealthy
        status, body["status"] = 503, "error"
        body["database"] = {"status": "error", "error": exc.__class__.__name__}
        return JsonResponse(body, status=status)
    head = LedgerHead.objects.filter(pk=1).first()
    body["ledger"] = {"status": "ok" if head else "missing", "seq": head.seq if head else None,
                      "head_hash": head.hash if head else None}
    if head is None:
        status, body["status"] = 503, "error"
    return JsonResponse(body, status=status)
