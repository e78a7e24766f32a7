"""The person's notifications, their preferences, the navbar badge and the unsubscribe link
(which works without logging in: the signed token is the credential)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .forms import PreferenceForm
from .models import Notification


@login_required
def notification_list(request):
    """The person's own notifications, newest first."""
    page = Paginator(Notification.objects.filter(recipient=request.user)
                     .select_related("organisation"), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def badge(request):
    """The navbar's unread count (loaded by htmx, so pages do not pay for it)."""
    return render(request, "notifications/badge.html",
                  {"unread": services.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request):
    """Mark all, or one, of the person's notifications read."""
    one = request.POST.get("id")
    services.mark_read(request.user, [one] if one and one.isdigit() else None)
    return redirect("notifications:list")


@login_required
def preferences(request):
    """Which e-mails the person gets."""
    pref = services.preferences(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(request.user, **form.cleaned_data)
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# The signed token authenticates the request, so a mail client's one-click unsubscribe (RFC
# 8058, a POST without our CSRF cookie) works too. A GET only shows the button: link scanners
# that fetch every URL in a message must not unsubscribe anyone.
@csrf_exempt
def unsubscribe(request, token):
    """Switch one kind of e-mail off without logging in."""
    try:
        user, what = services.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.unsubscribe(token)
        done = True
    label = "the daily digest" if what == "digest" else "e-mails about assignments"
    return render(request, "notifications/unsubscribe.html",
                  {"label": label, "done": done, "email": user.email})
