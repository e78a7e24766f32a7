"""Write paths of people and access: role assignments, API tokens, and who may still log in.

The rules live here once; forms, serializers, views and the register only translate errors:
- a role assignment's scope is the whole organisation *or* some of its sites (`check_scope`,
  run by the register's `after_save`, i.e. by `core.services.save_record` on every path);
- an organisation keeps an organisation-wide, open-ended Administrator assignment of an
  active account (`ensure_administrator_remains`, run by `RoleAssignment.save` on every path);
- only people with a current role log in or use API tokens (`has_current_role`).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chainward.core import roles
from chainward.ledger.context import acting_as, actor_context
from chainward.ledger.services import append_entry

from .models import ApiToken, Role, RoleAssignment, TokenScope

BOTH_SCOPES = "Choose either the whole organisation or some sites, not both."
NO_SCOPE = "Choose the sites, or tick “whole organisation”."


class LastAdministrator(ValidationError):
    """The change would leave an organisation without anyone who can manage its people."""


# --- who may log in ------------------------------------------------------------------------------
def current_assignments(user):
    """The user's assignments that give access today (same rule as `scope.scope_map`)."""
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        user=user, archived=False, organisation__archived=False).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def has_current_role(user):
    """Whether the user may log in or use a token: a superuser, an installation administrator
    (who creates organisations), or someone with a current role."""
    return user.is_superuser or user.installation_admin or current_assignments(user).exists()


def may_create_organisations(user):
    """Whether `user` may create organisations: an active superuser or installation
    administrator (a capability above organisations, not a role in one)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and (user.is_superuser or user.installation_admin))


def require_password_change(user, *, actor=None, reason=""):
    """Make `user` choose their own password at their next login (someone else set it: a
    one-time password). Ledgered; the flag is cleared when they choose one (access.login)."""
    with actor_context(actor, name=None if actor else "operator", reason=reason), \
            transaction.atomic():
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        append_entry("one_time_password_set", object_type="access.user", object_id=user.pk,
                     object_repr=user.email)


# --- role assignments ----------------------------------------------------------------------------
def validate_scope(all_sites, sites):
    """Refuse a scope that is both the whole organisation and some sites, or neither."""
    if all_sites and sites:
        raise ValidationError({"sites": BOTH_SCOPES})
    if not all_sites and not sites:
        raise ValidationError({"sites": NO_SCOPE})


def check_scope(assignment):
    """The stored assignment's scope is explicit and its sites belong to its organisation.

    Called by the register's `after_save` once the many-to-many values are set."""
    sites = list(assignment.sites.all())
    validate_scope(assignment.all_sites, sites)
    foreign = [s for s in sites if s.organisation_id != assignment.organisation_id]
    if foreign:
        raise ValidationError({"sites": "Choose sites of this organisation only."})


def change_role_assignment(actor, assignment, *, expected_version=None, **changes):
    """Change role, scope or end date of an assignment (fields as keyword arguments).

    The same path as the form and the API: `core.services.save_record`, which runs the
    register's rules and re-checks the actor's right to change people of this organisation.
    """
    from chainward.core.services import save_record

    # Work on a fresh copy: a refused change leaves the caller's instance as it was.
    assignment = RoleAssignment._base_manager.get(pk=assignment.pk)
    relations = {"sites": changes.pop("sites")} if "sites" in changes else None
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean(exclude=["reference", "organisation", "user"])
    return save_record(actor, assignment, relations=relations, expected_version=expected_version)


def _administers(assignment):
    """Whether an assignment (as it would be saved) lets its holder manage people for good."""
    if assignment.archived or not assignment.all_sites or assignment.valid_until is not None:
        return False
    role = Role.objects.filter(pk=assignment.role_id).values_list("name", "builtin").first()
    if role != (roles.ADMINISTRATOR, True):
        return False
    return type(assignment.user)._default_manager.filter(
        pk=assignment.user_id, is_active=True).exists()


def ensure_administrator_remains(assignment):
    """Refuse a save that removes an organisation's last open-ended, organisation-wide
    Administrator assignment (archive, end date, other role, sites only).

    An end date in the future is refused too: the organisation would lock itself out on that
    day. The organisation row is locked first, so two administrators removing themselves at
    the same moment cannot both succeed.
    """
    if assignment.pk is None:
        return
    stored = RoleAssignment._base_manager.filter(pk=assignment.pk).first()
    if stored is None or not _administers(stored) or _administers(assignment):
        return
    from chainward.supplychain.models import Organisation

    organisation = Organisation._base_manager.select_for_update().get(
        pk=assignment.organisation_id)
    others = RoleAssignment._base_manager.filter(
        organisation_id=assignment.organisation_id, archived=False, all_sites=True,
        valid_until__isnull=True, role__name=roles.ADMINISTRATOR, role__builtin=True,
        user__is_active=True).exclude(pk=assignment.pk)
    if not others.exists():
        raise LastAdministrator(
            f"This is the last administrator of {organisation} (whole organisation, no end "
            "date). Give someone else that role first, then change or archive this one.",
            code="last_administrator")


# --- API tokens ----------------------------------------------------------------------------------
def issue_token(actor, name, *, days=None, scope=TokenScope.READ_ONLY):
    """Give `actor` a new API token named `name`, valid `days` (default API_TOKEN_DAYS),
    read-only unless `scope` says read-write.

    Returns `(token, secret)`; the secret is shown once and only its digest is stored."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": f"Choose between 1 and {settings.API_TOKEN_MAX_DAYS} days."})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the integration that uses "
                                       "it."})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose “Read only” or “Read and write”."})
    if not has_current_role(actor):
        raise PermissionDenied("You have no current role in any organisation, so you cannot "
                               "create API tokens.")
    with acting_as(actor), transaction.atomic():
        token, secret = ApiToken.issue(actor, name[:100], scope=scope,
                                       expires_at=timezone.now() + timedelta(days=days))
        append_entry("token_issued", object_type="access.apitoken", object_id=token.pk,
                     object_repr=str(token), after={"expires_at": token.expires_at.isoformat(),
                                                    "scope": token.scope})
    return token, secret


def revoke_token(actor, token):
    """Revoke one of `actor`'s tokens: it stops working at once and stays listed as revoked."""
    if token.user_id != actor.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is not None:
        return token
    with acting_as(actor), transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        append_entry("token_revoked", object_type="access.apitoken", object_id=token.pk,
                     object_repr=str(token), after={"revoked_at": token.revoked_at.isoformat()})
    return token
