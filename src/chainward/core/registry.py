"""The model registry: which models are audited, scoped and exposed, and how.

Registering a model is what makes it a first-class record: the ledger watches it, the role
matrix must mention it, `restrict()` knows its path to an organisation and a site, and the
generated tests cover it.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

STANDARD_ACTIONS = ("view", "add", "change", "delete", "export", "import")


@dataclass(frozen=True)
class Registration:
    """How one model is scoped and which actions exist on it."""

    model: type
    # Paths from the model to a Site id; a record is in a user's site scope when any path matches.
    # Empty: an organisation-wide record (partners, goods categories, the statement of application).
    site_paths: tuple[str, ...] = ()
    organisation_path: str = "organisation_id"
    actions: tuple[str, ...] = STANDARD_ACTIONS
    # The model's row in the built-in role matrix: role name -> allowed actions ("*" = all).
    roles: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def label(self):
        """`app_label.modelname`, the key used by the role matrix."""
        return self.model._meta.label_lower


_registry: dict[str, Registration] = {}


def register(model, *, roles, site_paths=(), organisation_path="organisation_id", actions=(),
             **extra):
    """Register `model` as an audited, scoped record with its row of the role matrix."""
    from chainward.access.roles import BUILTIN_ROLES

    missing = [name for name in BUILTIN_ROLES if name not in roles]
    if missing:
        raise ImproperlyConfigured(
            f"{model._meta.label}: the role matrix row does not mention {', '.join(missing)}."
        )
    reg = Registration(
        model=model,
        site_paths=tuple(site_paths),
        organisation_path=organisation_path,
        actions=STANDARD_ACTIONS + tuple(a for a in actions if a not in STANDARD_ACTIONS),
        roles=dict(roles),
        extra=extra,
    )
    _registry[reg.label] = reg
    return model


def registration(model_or_label):
    """Return the Registration of a model (class, instance or label), or None."""
    if isinstance(model_or_label, str):
        return _registry.get(model_or_label.lower())
    return _registry.get(model_or_label._meta.label_lower)


def registrations():
    """Every registration, in registration order."""
    return list(_registry.values())
