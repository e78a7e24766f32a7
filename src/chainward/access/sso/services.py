"""Single sign-on rules, once: which provider an e-mail is sent to, what a provider's settings
may be, who a provider may sign in, and whether local passwords still work.

- Routing: an address whose domain a provider lists goes to that provider; a domain belongs to
  one provider at most (`check_provider`, run by the register's `after_save` on every path).
- Sign-in (`person_for_claims`): the ID token's e-mail must be of the provider's domains (a
  provider never signs in people of another organisation's domain); an existing account must
  hold a current role in the provider's organisation (an ended role is not renewed by signing
  in); an unknown address gets an account only when the provider creates accounts on first
  sign-in — with the role its groups map to, else the default role, and no sites: an
  administrator chooses the sites later.
- Local passwords (`password_login_refused`): refused for anyone with a current role in an
  organisation whose provider disables them (login, password change and reset alike:
  access.login).
- Client secrets (`set_client_secret`, `client_secret`): stored sealed (sso.sealing), opened
  only for the sign-in; one the instance's key no longer opens is `SecretUnreadable`.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chainward.ledger.context import acting_as, actor_context
from chainward.ledger.services import append_entry

from . import sealing
from .models import OidcClientSecret, OidcProvider, SamlProvider

PROVIDER_MODELS = (OidcProvider, SamlProvider)

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SESSION_KEY = "sso:signed_in"  # {"provider": pk, "mfa": bool} of a session signed in by SSO
SCOPES = "openid email profile"
PASSWORDS_DISABLED = (
    "Your organisation signs in through {provider} only: use “Continue with "
    "your organisation's sign-in” below with your work e-mail."
)


SECRET_UNREADABLE = (
    "The client secret of {provider} can no longer be read here (the instance's secret key "
    "changed): single sign-on through it fails until an administrator enters the secret again."
)
SECRET_REENTER = (
    "The stored client secret can no longer be read (the instance's secret key changed); "
    "give the client secret the provider issued again."
)


class SignInRefused(Exception):
    """The provider authenticated someone Chainward does not let in (the message says why)."""


class SecretUnreadable(Exception):
    """The provider's stored client secret does not open with this deployment's key."""


# --- configuration -------------------------------------------------------------------------------
def parse_domains(text):
    """The lower-cased domains of a comma- or space-separated list; field error when one is
    not a domain."""
    domains = [part.strip().lower().lstrip("@") for part in re.split(r"[,\s]+", text or "")]
    domains = [d for d in domains if d]
    bad = [d for d in domains if not DOMAIN.match(d)]
    if bad:
        raise ValidationError(
            {
                "email_domains": f"Not a domain: {', '.join(bad)}. Write domains "
                "such as “acme.example”, separated by commas."
            }
        )
    if not domains:
        raise ValidationError(
            {"email_domains": "Give at least one e-mail domain, e.g. “acme.example”."}
        )
    return list(dict.fromkeys(domains))


def parse_role_mapping(text):
    """`[(group, Role)]` from lines “group = role”; field error naming the line otherwise."""
    from chainward.access.models import Role

    mapping = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        group, sep, role_name = line.partition("=")
        group, role_name = group.strip(), role_name.strip()
        if not sep or not group or not role_name:
            raise ValidationError(
                {
                    "role_mapping": f"Line {number}: write “group = role”, "
                    "e.g. “security-team = Security manager”."
                }
            )
        role = Role.objects.filter(name__iexact=role_name).first()
        if role is None:
            raise ValidationError(
                {"role_mapping": f"Line {number}: there is no role “{role_name}”."}
            )
        mapping.append((group, role))
    return mapping


def secure_url(url):
    """An https address, or an http one on the loopback (a provider on this machine)."""
    url = url or ""
    host = urlsplit(url).hostname or ""
    return url.startswith("https://") or (
        url.startswith("http://") and host in ("localhost", "127.0.0.1", "::1")
    )


def check_issuer(provider):
    """Rule of an OpenID Connect provider: an https issuer (http only on the loopback)."""
    if not secure_url(provider.issuer):
        raise ValidationError({"issuer": "The issuer must be an https:// address."})


def check_domains(provider):
    """Rule of every provider: well-formed domains that no other active provider, of either
    kind, routes (a domain goes to one provider)."""
    domains = parse_domains(provider.email_domains)
    if provider.archived:
        return
    taken = set()
    for model in PROVIDER_MODELS:
        others = model.objects.filter(archived=False)
        if isinstance(provider, model):
            others = others.exclude(pk=provider.pk)
        for other in others.only("email_domains"):
            taken.update(parse_domains_quietly(other.email_domains))
    clash = [d for d in domains if d in taken]
    if clash:
        verb = "signs" if len(clash) == 1 else "sign"
        raise ValidationError(
            {
                "email_domains": f"{', '.join(clash)} already {verb} in through another "
                "provider; a domain goes to one provider."
            }
        )


def check_default_role(provider):
    """Rule of every provider: a default role when accounts are created on first sign-in."""
    if provider.jit_enabled and provider.default_role_id is None:
        raise ValidationError(
            {
                "default_role": "Choose the role of accounts created on first sign-in, "
                "or do not create accounts."
            }
        )


def check_role_mapping(provider):
    """Rule of every provider: each mapping line reads “group = existing role”."""
    parse_role_mapping(provider.role_mapping)


def check_provider(provider):
    """A provider's settings are usable: the rules of every provider, then those of its kind
    (issuer; SAML metadata). Called by the registers' `after_save` (form and API alike); all
    failures come back together as field errors."""
    from . import saml

    rules = [check_domains, check_default_role, check_role_mapping]
    rules.append(check_issuer if isinstance(provider, OidcProvider) else saml.check_metadata)
    errors = {}
    for rule in rules:
        try:
            rule(provider)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def parse_domains_quietly(text):
    """The domains of a stored list (already checked), ignoring anything unreadable."""
    try:
        return parse_domains(text)
    except ValidationError:
        return []


def set_client_secret(actor, provider, value):
    """Store a provider's client secret, sealed (sso.sealing) and kept apart from the
    ledgered record; the ledger says that it changed, never what it is."""
    with acting_as(actor), transaction.atomic():
        OidcClientSecret.objects.update_or_create(
            provider=provider, defaults={"value": sealing.seal(value)}
        )
        append_entry("sso_client_secret_set", obj=provider)


def client_secret(provider):
    """The stored client secret in plain text, or an empty string when none is stored; raises
    SecretUnreadable when the stored one no longer opens (SECRET_KEY changed)."""
    sealed = OidcClientSecret.objects.filter(provider=provider).values_list("value", flat=True)
    sealed = sealed.first()
    if not sealed:
        return ""
    try:
        return sealing.unseal(sealed)
    except sealing.Unreadable as error:
        raise SecretUnreadable(SECRET_UNREADABLE.format(provider=provider)) from error


def client_secret_state(provider):
    """“missing”, “stored” or “unreadable”: what the provider page and form say of it."""
    try:
        return "stored" if client_secret(provider) else "missing"
    except SecretUnreadable:
        return "unreadable"


def check_client_secret(provider, new_secret):
    """Rule of an OpenID Connect provider: it has a client secret that this deployment can
    read — a new one given now, or the stored one (form and API alike)."""
    if new_secret:
        return
    state = client_secret_state(provider) if provider.pk else "missing"
    if state == "missing":
        raise ValidationError({"client_secret": "Give the client secret the provider issued."})
    if state == "unreadable":
        raise ValidationError({"client_secret": SECRET_REENTER})


# --- routing -------------------------------------------------------------------------------------
def provider_for_email(email):
    """The active provider (OpenID Connect or SAML) the address's domain is routed to, or
    None."""
    domain = (email or "").rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for model in PROVIDER_MODELS:
        candidates = model.objects.filter(
            archived=False, organisation__archived=False, email_domains__icontains=domain
        )
        for provider in candidates.select_related("organisation"):
            if domain in parse_domains_quietly(provider.email_domains):
                return provider
    return None


def password_login_refused(user):
    """The provider that forbids `user` a password login (a current role in its
    organisation), or None."""
    from chainward.access.services import current_assignments

    organisations = current_assignments(user).values("organisation_id")
    for model in PROVIDER_MODELS:
        provider = model.objects.filter(
            archived=False, passwords_disabled=True, organisation_id__in=organisations
        ).first()
        if provider is not None:
            return provider
    return None


# --- the OpenID Connect client -------------------------------------------------------------------
def oauth_client(provider):
    """Authlib's Django client for this provider: discovery from the issuer, PKCE, and on the
    way back state, ID token signature (the provider's JWKS), iss, aud, nonce and expiry."""
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    return oauth.register(
        name=f"sso{provider.pk}",
        client_id=provider.client_id,
        client_secret=client_secret(provider),
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "timeout": settings.SSO_HTTP_TIMEOUT,
        },
    )


def id_token_claims_options(provider):
    """The issuer the ID token must name: the one configured, whatever the discovery says."""
    return {"iss": {"essential": True, "values": [provider.issuer.rstrip("/"), provider.issuer]}}


# --- who signs in --------------------------------------------------------------------------------
def _groups(provider, claims):
    value = claims.get(provider.group_claim or "groups") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def role_for_new_account(provider, claims):
    """The role of the first mapping line the person's groups match, else the default role."""
    groups = set(_groups(provider, claims))
    for group, role in parse_role_mapping(provider.role_mapping):
        if group in groups:
            return role
    return provider.default_role


def person_for_claims(provider, claims):
    """The account the verified claims (an ID token's or a SAML assertion's) sign in (created
    on first sign-in when the provider allows it); raises SignInRefused with a message people
    can act on."""
    from chainward.access.models import User
    from chainward.access.services import current_assignments

    email = (claims.get("email") or "").strip().lower()
    if not email:
        raise SignInRefused(
            f"{provider} did not send your e-mail address; ask your IT "
            "department to release the “email” claim to Chainward."
        )
    if claims.get("email_verified") is False:
        raise SignInRefused(f"{provider} says your e-mail address is not verified.")
    if email.rpartition("@")[2] not in parse_domains_quietly(provider.email_domains):
        raise SignInRefused(f"{email} is not an address of {provider.organisation}'s domains.")
    user = User.objects.filter(email=email).first()
    if user is None:
        if not provider.jit_enabled:
            raise SignInRefused(
                f"There is no Chainward account for {email}. Ask your "
                "organisation's administrator to invite you."
            )
        user = create_member(provider, email, claims)
    if not user.is_active:
        raise SignInRefused("This account is disabled.")
    if not current_assignments(user).filter(organisation=provider.organisation_id).exists():
        raise SignInRefused(
            f"You have no current role in {provider.organisation}. Ask its "
            "administrator to renew it."
        )
    return user


def create_member(provider, email, claims):
    """A new account with the mapped or default role in the provider's organisation and no
    sites (it sees organisation-wide records until an administrator chooses its sites).
    Ledgered as the provider's doing (the account, its assignment)."""
    from chainward.access.models import RoleAssignment, User

    role = role_for_new_account(provider, claims)
    name = (claims.get("name") or "").strip()[:150]
    with actor_context(None, name=f"single sign-on ({provider})"), transaction.atomic():
        user = User.objects.create_user(email, None, full_name=name)
        # Not through save_record: no one signed in is the actor, and the assignment has
        # deliberately neither the whole organisation nor any site (access.services.
        # validate_scope refuses that in forms; an administrator completes it there).
        RoleAssignment.objects.create(
            organisation=provider.organisation, user=user, role=role, all_sites=False
        )
        append_entry(
            "sso_account_created",
            object_type="access.user",
            object_id=user.pk,
            object_repr=email,
            organisation_id=provider.organisation_id,
            after={"provider": provider.pk, "role": role.name, "groups": _groups(provider, claims)},
        )
    return user


def record_sign_in(request, provider, user, issuer):
    """Ledger that the provider authenticated `user` (the login itself is ledgered by the
    usual login event)."""
    from chainward.ledger.events import client_ip

    with acting_as(user), transaction.atomic():
        append_entry(
            "sso_login",
            object_type="access.user",
            object_id=user.pk,
            object_repr=user.email,
            organisation_id=provider.organisation_id,
            after={
                "provider": provider.pk,
                "issuer": issuer,
                "ip": client_ip(request),
                "at": timezone.now().isoformat(),
            },
        )


def record_refusal(request, provider, reason):
    """Ledger a refused single sign-on (no account is named: it may not exist)."""
    from chainward.ledger.events import client_ip

    with actor_context(None, name=f"single sign-on ({provider})"), transaction.atomic():
        append_entry(
            "sso_refused", obj=provider, reason=reason[:200], after={"ip": client_ip(request)}
        )


def record_sign_out(request, user):
    """Ledger the end of a session that single sign-on began (on `user_logged_out`)."""
    session = getattr(request, "session", None)
    marker = session.get(SESSION_KEY) if session is not None else None
    if user is None or not isinstance(marker, dict):
        return
    with acting_as(user), transaction.atomic():
        append_entry(
            "sso_logout",
            object_type="access.user",
            object_id=user.pk,
            object_repr=user.email,
            after={"provider": marker.get("provider")},
        )


def counts_as_two_step(request):
    """Whether this session's single sign-on stands for the second step (the provider
    enforces multi-factor sign-in): no query, the session says so."""
    session = getattr(request, "session", None)
    marker = session.get(SESSION_KEY) if session is not None else None
    return isinstance(marker, dict) and bool(marker.get("mfa"))
