"""The one registry of records: which models are audited, scoped and exposed, and how.

Each record type has one entry, keyed by `app_label.modelname`, written in two steps:

- `register(model, roles=…, site_paths=…)` in the app's `models.py` makes it a first-class
  record: the ledger watches it, the role matrix must mention it, `restrict()` knows its path to
  an organisation and a site, and the generated tests cover it (`registration()` reads it back).
- `@add_register` on a `core.register.Register` subclass in the app's `registers.py` attaches
  how the record appears in the UI and the API (`get_register()` reads it back).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

STANDARD_ACTIONS = ("view", "add", "change", "delete", "export", "import")


@dataclass
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
    # The UI and API declaration (a `core.register.Register` instance), attached by
    # `add_register`; None for records shown only inside another record's pages.
    register: object = field(default=None, compare=False)

    @property
    def label(self):
        """`app_label.modelname`, the key used by the role matrix."""
        return self.model._meta.label_lower


_registry: dict[str, Registration] = {}


def register(model, *, roles, site_paths=(), organisation_path="organisation_id", actions=(),
             **extra):
    """Register `model` as an audited, scoped record with its row of the role matrix."""
    from chainward.core.roles import BUILTIN_ROLES

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
    _builtin_grants.clear()
    return model


def registration(model_or_label):
    """Return the Registration of a model (class, instance or label), or None."""
    if isinstance(model_or_label, str):
        return _registry.get(model_or_label.lower())
    return _registry.get(model_or_label._meta.label_lower)


def registrations():
    """Every registration, in registration order."""
    return list(_registry.values())


# Built-in role name -> its grants: a function of the registrations alone, folded once (every
# signed-in request folds a user's roles into a scope map; a new registration clears it).
_builtin_grants: dict[str, frozenset] = {}


def builtin_grants(role_name):
    """The `"label:action"` grants the role matrix gives the built-in role `role_name`."""
    grants = _builtin_grants.get(role_name)
    if grants is None:
        from chainward.core.roles import ALL

        granted = set()
        for reg in _registry.values():
            actions = reg.roles.get(role_name, ())
            actions = reg.actions if actions == ALL else actions
            granted.update(f"{reg.label}:{action}" for action in actions if action in reg.actions)
        grants = _builtin_grants[role_name] = frozenset(granted)
    return grants


def add_register(register_class):
    """Attach a register declaration to its model's entry; the class decorator of
    `<app>/registers.py`. The model must be registered first."""
    reg = registration(register_class.model)
    if reg is None:
        raise ImproperlyConfigured(f"{register_class.model._meta.label} must be registered "
                                   "before declaring a register for it.")
    reg.register = register_class()
    return register_class


def get_register(model_or_label):
    """The register instance of a model (class, instance or label); KeyError when none."""
    reg = registration(model_or_label)
    if reg is None or reg.register is None:
        raise KeyError(model_or_label if isinstance(model_or_label, str)
                       else model_or_label._meta.label_lower)
    return reg.register


def all_registers():
    """Every declared register, in registration order."""
    return [reg.register for reg in _registry.values() if reg.register is not None]
