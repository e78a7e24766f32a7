"""People, roles and role assignments: who may do what, over which organisation and sites."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core.models import ExpiryMixin, PrimaryModel
from chainward.core.registry import register

from . import roles


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
        from chainward.core.registry import registrations

        granted = set()
        for reg in registrations():
            actions = reg.roles.get(self.name, ())
            actions = reg.actions if actions == roles.ALL else actions
            granted.update(f"{reg.label}:{action}" for action in actions if action in reg.actions)
        return granted


class RoleAssignment(ExpiryMixin, PrimaryModel):
    """A user's role over a whole organisation or some of its sites, optionally until a date."""

    reference_prefix = "RA"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name="user")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name="role")
    all_sites = models.BooleanField(
        "whole organisation", default=True,
        help_text="Untick to limit the role to the sites chosen below.")
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


    def clean(self):
        super().clean()
        if self.role_id and self.role.name == roles.EXTERNAL_AUDITOR and not self.valid_until:
            raise ValidationError(
                {"valid_until": "External auditor access is time-boxed: give a last valid day."})


class ApiToken(models.Model):
    """A machine credential. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("name", max_length=100)
    prefix = models.CharField("prefix", max_length=12, editable=False)
    digest = models.CharField("digest", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("created", auto_now_add=True)
    expires_at = models.DateTimeField("expires", null=True, blank=True)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret):
        """Digest under which a token secret is stored."""
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name, expires_at=None):
        """Create a token and return `(token, secret)`; the secret cannot be recovered later."""
        secret = "cw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:10],
                                   digest=cls.hash(secret), expires_at=expires_at)
        return token, secret


register(RoleAssignment, roles=roles.ACCESS_RECORD)
