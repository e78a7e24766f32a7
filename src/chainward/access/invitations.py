"""Adding people by invitation: an administrator invites an address, its holder accepts.

The administrator learns nothing about the address (same answer whether or not it has an
account); another organisation's account joins only when its holder accepts, signed in; a
new person chooses their own password. Links are one-time, expire after INVITATION_DAYS and
only their SHA-256 is stored.
"""

import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from chainward.core import roles
from chainward.core.scope import allows
from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from .models import Invitation, Role, RoleAssignment, User
from .services import check_scope, may_create_organisations, validate_scope

logger = logging.getLogger(__name__)


class InvitationGone(Exception):
    """The link is unknown, already used or expired."""


def invite_person(actor, organisation, *, email, role, all_sites=False, sites=(),
                  valid_until=None, full_name="", accept_url):
    """Record an invitation and e-mail its link; returns `(invitation, sent)`.

    `accept_url(secret)` builds the absolute link. The answer never depends on whether the
    address has an account. A mail failure is logged and reported as `sent=False`.
    """
    sites = list(sites)
    probe = RoleAssignment(organisation=organisation, role=role, all_sites=all_sites,
                           valid_until=valid_until)
    if not allows(actor, "add", probe):
        raise PermissionDenied(f"You may not add people to {organisation}.")
    validate_scope(all_sites, sites)
    if any(site.organisation_id != organisation.pk for site in sites):
        raise ValidationError({"sites": "Choose sites of this organisation only."})
    probe.clean()  # the assignment's own rules, e.g. external auditors are time-boxed
    return _record(actor, organisation, email=email, role=role, all_sites=all_sites,
                   sites=sites, valid_until=valid_until, full_name=full_name,
                   accept_url=accept_url)


def invite_first_administrator(actor, organisation, *, email, full_name="", accept_url):
    """Invite the first Administrator (whole organisation) of an organisation nobody holds a
    role in yet; returns `(invitation, sent)`. Called by `supplychain.services.
    create_organisation` for a superuser, an installation administrator or `chainward init`
    (`actor` None)."""
    if actor is not None and not may_create_organisations(actor):
        raise PermissionDenied("Only an installation administrator may invite the first "
                               "administrator of an organisation.")
    if RoleAssignment.objects.filter(organisation=organisation).exists():
        raise PermissionDenied(f"{organisation} has people already; its administrators invite "
                               "the others.")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    role = Role.objects.get(name=roles.ADMINISTRATOR, builtin=True)
    return _record(actor, organisation, email=email, role=role, all_sites=True, sites=(),
                   valid_until=None, full_name=full_name, accept_url=accept_url, founding=True)


def _record(actor, organisation, *, email, role, all_sites, sites, valid_until, full_name,
            accept_url, founding=False):
    """Store the invitation (replacing a pending one for the address) and e-mail its link."""
    email = User.objects.normalize_email(email).lower()
    secret, digest = Invitation.new_secret()
    # `chainward init` (actor None) keeps the command's own ledger actor.
    with (acting_as(actor) if actor is not None else nullcontext()), transaction.atomic():
        # A newer invitation replaces a pending one for the same address and organisation.
        Invitation.objects.filter(organisation=organisation, email=email,
                                  accepted_at__isnull=True,
                                  expires_at__gt=timezone.now()).update(expires_at=timezone.now())
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, full_name=full_name.strip(), role=role,
            all_sites=all_sites, valid_until=valid_until, digest=digest, invited_by=actor,
            founding=founding,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS))
        invitation.sites.set(sites)
        append_entry("invitation_sent", object_type="access.invitation",
                     object_id=invitation.pk, object_repr=str(invitation)[:200],
                     organisation_id=organisation.pk,
                     after={"email": email, "role": role.name, "all_sites": all_sites,
                            "sites": sorted(s.pk for s in sites), "founding": founding,
                            "valid_until": valid_until.isoformat() if valid_until else None})
    invitation.secret = secret  # for `chainward init`, which prints the link
    return invitation, _send(invitation, accept_url(secret))


def _send(invitation, url):
    context = {"invitation": invitation, "url": url, "days": settings.INVITATION_DAYS,
               "sites": list(invitation.sites.all())}
    try:
        send_mail(
            render_to_string("access/invitation_subject.txt", context).strip(),
            render_to_string("access/invitation_email.txt", context),
            None, [invitation.email])
    except Exception:  # noqa: BLE001 - any transport error: the invitation stays, say so
        logger.exception("Could not send the invitation e-mail for invitation %s", invitation.pk)
        return False
    return True


def pending(secret):
    """The pending invitation of a link, else `InvitationGone`."""
    invitation = Invitation.by_secret(secret) if secret else None
    if invitation is None or not invitation.is_pending:
        raise InvitationGone
    return invitation


def accept_invitation(secret, user):
    """`user` (signed in, or just authenticated) accepts the invitation: the role is created.

    The assignment is written by the inviter's authority (`save_record` re-checks that they
    may still add people there); the acceptance itself is the invitee's ledger entry.
    """
    from chainward.core.services import save_record

    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(
            pk=pending(secret).pk).first()
        if invitation is None or not invitation.is_pending:
            raise InvitationGone
        if user.email.lower() != invitation.email.lower():
            raise PermissionDenied("This invitation is for another e-mail address.")
        inviter = invitation.invited_by
        assignment = RoleAssignment(
            organisation=invitation.organisation, user=user, role=invitation.role,
            all_sites=invitation.all_sites, valid_until=invitation.valid_until)
        if invitation.founding:
            _found(invitation, inviter, assignment, user)
        else:
            if inviter is None or not inviter.is_active:
                raise PermissionDenied("The person who invited you can no longer add people; "
                                       "ask for a new invitation.")
            save_record(inviter, assignment,
                        relations={"sites": list(invitation.sites.all())})
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        with acting_as(user):
            append_entry("invitation_accepted", object_type="access.invitation",
                         object_id=invitation.pk, object_repr=str(invitation)[:200],
                         organisation_id=invitation.organisation_id,
                         after={"assignment": assignment.reference})
    return assignment


def _found(invitation, inviter, assignment, user):
    """The first administrator's assignment, on the authority of whoever created the
    organisation (nobody holds a role there to write it by `save_record`'s scope check)."""
    if inviter is not None and not may_create_organisations(inviter):
        raise PermissionDenied("The person who invited you can no longer create organisations; "
                               "ask for a new invitation.")
    with acting_as(user):
        assignment.created_by = assignment.updated_by = user
        assignment.full_clean(exclude=["reference"])
        assignment.save()
        check_scope(assignment)


def accept_as_new_person(secret, *, full_name, password):
    """Create the account of an invited address that has none, then accept for it."""
    invitation = pending(secret)
    with transaction.atomic():
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise PermissionDenied("This address has an account: sign in to accept.")
        user = User(email=invitation.email, full_name=full_name.strip()[:150])
        validate_password(password, user)
        user.set_password(password)
        user.save()
        with acting_as(user):
            append_entry("account_created", object_type="access.user", object_id=user.pk,
                         object_repr=user.email, organisation_id=invitation.organisation_id,
                         after={"invitation": invitation.pk})
        accept_invitation(secret, user)
    return user
