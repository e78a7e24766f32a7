"""Helpers of the single sign-on tests (OpenID Connect and SAML alike)."""

import re

from django.contrib.auth import get_user

from chainward.access.models import Role, RoleAssignment, User
from chainward.ledger.context import actor_context


def member(email, role="Viewer", org=None, **extra):
    """An account with a role over the whole organisation (A unless given)."""
    user = User.objects.create_user(email, None)
    with actor_context(None, name="fixture"):
        RoleAssignment.objects.create(
            organisation=org, user=user, role=Role.objects.get(name=role), all_sites=True, **extra
        )
    return user


def provider_url(started):
    """Where the start page sends the browser (its Refresh header and its link agree)."""
    assert started.status_code == 200, started
    link = re.search(r'id="sso-provider-link" href="([^"]+)"', started.content.decode())
    url = link.group(1).replace("&amp;", "&")
    assert started["Refresh"] == f"0;url={url}"
    return url


def messages_of(client):
    """The messages the login page shows next."""
    return " ".join(str(m) for m in client.get("/login/").context["messages"])


def signed_in_user(client):
    """Who the client's session signs in (anonymous when nobody)."""
    return get_user(client)


def provider_form(**fields):
    """Form data of a provider of either kind: the settings both share, then `fields` (None
    leaves a field out)."""
    data = {
        "email_domains": "acme.example",
        "jit_enabled": "on",
        "default_role": Role.objects.get(name="Viewer").pk,
        "group_claim": "groups",
        "role_mapping": "security-team = Contributor",
        "version": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}
