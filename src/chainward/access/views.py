"""The user's own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chainward.ledger.events import record_event

from .models import ApiToken


@login_required
def tokens(request):
    """List tokens; POST issues a new one whose secret is shown once."""
    secret = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, "Give the token a name, e.g. the integration that uses it.")
        else:
            with transaction.atomic():
                token, secret = ApiToken.issue(request.user, name)
                record_event("token_issued", object_type="access.apitoken", object_repr=str(token))
    return render(request, "access/tokens.html", {
        "tokens": request.user.api_tokens.all(), "secret": secret})


@login_required
@require_POST
def revoke_token(request, pk):
    """Delete one of the user's tokens."""
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    with transaction.atomic():
        record_event("token_revoked", object_type="access.apitoken", object_repr=str(token))
        token.delete()
    messages.success(request, f"Revoked {token}.")
    return redirect("access:tokens")
