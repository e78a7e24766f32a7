"""People, roles and role assignments: who may do what, over which organisation and sites."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import ExpiryMixin, PrimaryModel
from chainward.core.registry import register


class UserManager(BaseUserManager):
    """Users log in with their e-mail address."""

    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        """Create an active user; `password=None` leaves it unusable."""
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        """Create an installation superuser (sees every organisation)."""
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. What they see comes only from their role assignments."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField("full name", max_length=150, blank=True)
    is_active = models.BooleanField("active", default=True)
    is_staff = models.BooleanField("staff", default=False)
    date_joined = models.DateTimeField("joined", default=timezone.now)
    # Set when someone else chose the password (a one-time password printed by `chainward
    # init`): the next login leads straight to the password page and nowhere else.
    must_change_password = models.BooleanField("must change password", default=False)
    # Above every organisation (issue 13): creates organisations and invites their first
    # administrator. It is not a role: it shows none of any organisation's records by itself.
    installation_admin = models.BooleanField(
        "installation administrator", default=False,
        help_text="May create organisations and invite their first administrator; sees no "
                  "organisation's records by this alone.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "user"
        ordering = ("email",)

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        """Full name, or the e-mail when none is set."""
        return self.full_name or self.email

    def get_short_name(self):
        """The e-mail address."""
        return self.email


class Role(models.Model):
    """A named set of grants `(model, action)`; built-in roles take theirs from the registry."""

    name = models.CharField("name", max_length=80, unique=True)
    description = models.TextField("description", blank=True)
    builtin = models.BooleanField("built-in", default=False)
    # Custom roles only: a list of "app_label.model:action" strings.
    grants = models.JSONField("grants", default=list, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.name

    def get_grants(self):
        """The set of "label:action" grants of this role."""
        if not self.builtin:
            return set(self.grants)
        from chainward.core.registry import builtin_grants

        return set(builtin_grants(self.name))


class RoleAssignment(ExpiryMixin, PrimaryModel):
    """A user's role over a whole organisation or some of its sites, optionally until a date."""

    reference_prefix = "RA"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name="user")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name="role")
    # The scope is an explicit choice: the whole organisation, or the sites chosen — never both,
    # never neither (access.services.check_scope, run on every save by the register). Forms
    # start unticked (people join through Invitation, whose default is False); the default
    # here serves code that creates an organisation-wide assignment (`chainward init`).
    all_sites = models.BooleanField(
        "whole organisation", default=True,
        help_text="Tick for the whole organisation, or choose sites below — not both.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="role_assignments",
                                   verbose_name="sites")
    valid_until = models.DateField(
        "valid until", null=True, blank=True,
        help_text="The assignment stops giving access after this day.")

    class Meta:
        ordering = ("user__email", "role__name")
        verbose_name = "role assignment"

    def __str__(self):
        scope = "whole organisation" if self.all_sites else "selected sites"
        return f"{self.user} — {self.role} ({scope})"

    def save(self, *args, **kwargs):
        from .services import ensure_administrator_remains

        # Every path (form, API, archive, import, demo, shell) passes here.
        ensure_administrator_remains(self)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.role_id and self.role.name == roles.EXTERNAL_AUDITOR and not self.valid_until:
            raise ValidationError(
                {"valid_until": "External auditor access is time-boxed: give a last valid day."})


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(models.Model):
    """An administrator's offer of a role in their organisation, accepted by the person invited.

    Nobody is added to an organisation without their consent, and the form that invites never
    tells whether the address has an account. Only a SHA-256 of the link's secret is stored.
    """

    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name="organisation")
    email = models.EmailField("e-mail")
    full_name = models.CharField("full name", max_length=150, blank=True,
                                 help_text="Suggested name for a new account.")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+",
                             verbose_name="role")
    all_sites = models.BooleanField(
        "whole organisation", default=False,
        help_text="Tick for the whole organisation, or choose sites below — not both.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="+",
                                   verbose_name="sites")
    valid_until = models.DateField(
        "valid until", null=True, blank=True,
        help_text="The role stops giving access after this day.")
    digest = models.CharField("digest", max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="invited by")
    created_at = models.DateTimeField("sent", default=timezone.now)
    expires_at = models.DateTimeField("expires")
    accepted_at = models.DateTimeField("accepted", null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="accepted by")
    # The first administrator of a new organisation, invited by whoever created it (an
    # installation administrator, a superuser or `chainward init`): accepted on the authority
    # of creating organisations, since nobody holds a role in the organisation yet.
    founding = models.BooleanField("first administrator", default=False, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "invitation"

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.role})"

    @property
    def is_pending(self):
        """Not accepted yet and not expired."""
        return self.accepted_at is None and self.expires_at > timezone.now()

    @classmethod
    def new_secret(cls):
        """A fresh link secret and its digest (256 bits from the OS generator)."""
        secret = secrets.token_urlsafe(32)
        return secret, _digest(secret)

    @classmethod
    def by_secret(cls, secret):
        """The invitation whose link carries `secret`, or None."""
        return cls.objects.select_related("organisation", "role", "invited_by").filter(
            digest=_digest(secret)).first()


def default_token_expiry():
    """Tokens expire after API_TOKEN_DAYS (90 by default) unless their owner chooses less."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class TokenScope(models.TextChoices):
    """What a token may do: read only (GET, HEAD, OPTIONS) or everything its owner may."""

    READ_ONLY = "read", "Read only"
    READ_WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A machine credential. Only a SHA-256 of the secret is stored; the secret is shown once.

    It acts as its owner, within its scope, until it expires or is revoked; revoked tokens
    stay listed (with when) rather than vanish."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("name", max_length=100)
    prefix = models.CharField("prefix", max_length=12, editable=False)
    digest = models.CharField("digest", max_length=64, unique=True, editable=False)
    # Tokens made before scopes existed could write; they keep doing so (the default). New
    # tokens are read-only unless their owner chooses otherwise (access.services.issue_token).
    scope = models.CharField("scope", max_length=5, choices=TokenScope.choices,
                             default=TokenScope.READ_WRITE)
    created_at = models.DateTimeField("created", auto_now_add=True)
    expires_at = models.DateTimeField("expires", default=default_token_expiry)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self):
        """True once the expiry time has passed."""
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self):
        """True once its owner revoked it."""
        return self.revoked_at is not None

    @property
    def is_active(self):
        """Neither expired nor revoked (its owner's roles are checked when it is used)."""
        return not (self.is_expired or self.is_revoked)

    @property
    def read_only(self):
        """Whether the token may only read."""
        return self.scope == TokenScope.READ_ONLY

    @staticmethod
    def hash(secret):
        """Digest under which a token secret is stored."""
        return _digest(secret)

    @classmethod
    def issue(cls, user, name, expires_at=None, scope=TokenScope.READ_WRITE):
        """Create a token and return `(token, secret)`; the secret cannot be recovered later.

        Callers outside tests go through `access.services.issue_token` (ledgered)."""
        secret = "cw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:10],
                                   digest=cls.hash(secret), scope=scope,
                                   expires_at=expires_at or default_token_expiry())
        return token, secret


class UserSession(models.Model):
    """One signed-in browser of a person, recorded at login so they can see and end it.

    The session itself lives in Django's session store (SESSION_ENGINE); this row keeps what a
    person recognises it by. Ending it deletes the session from the store (access.sessions)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions",
                             verbose_name="user")
    session_key = models.CharField("session key", max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField("signed in", default=timezone.now)
    last_seen_at = models.DateTimeField("last seen", default=timezone.now)
    user_agent = models.CharField("browser", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    ended_at = models.DateTimeField("ended", null=True, blank=True)
    ended_reason = models.CharField("why it ended", max_length=40, blank=True)

    class Meta:
        ordering = ("-last_seen_at",)
        verbose_name = "session"

    def __str__(self):
        return f"{self.user} — {self.user_agent[:60] or 'unknown browser'} " \
               f"({self.created_at:%Y-%m-%d %H:%M})"


register(RoleAssignment, roles=roles.ACCESS_RECORD)
