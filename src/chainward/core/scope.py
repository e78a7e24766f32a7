"""One definition of access, used twice: to filter querysets and to check single objects.

A user's role assignments are folded into a map `"label:action" -> {organisation id: sites}`,
where `sites` is None for the whole organisation or a frozenset of site ids. `scope_q` turns
that map into a filter for any registered model; `allows` evaluates the same rule in Python
for an unsaved object (the "may I create this here?" question).
"""

from functools import cached_property
from types import MappingProxyType

from django.db.models import Q
from django.utils import timezone

from chainward.core.registry import registration

NOTHING = Q(pk__in=[])
# The session key holding the organisation a user is working in (set by the switcher).
SESSION_KEY = "chainward_organisation"


def scope_map(user):
    """The user's grants folded by organisation and site, cached on the user object.

    Read-only (mapping proxies): the same fold serves every request whose role assignments
    fold the same way (`_fold`)."""
    return _fold_of(user).map


def _fold_of(user):
    cached = getattr(user, "_chainward_scope", None)
    if cached is not None:
        return cached
    from chainward.core.registry import builtin_grants

    today = timezone.localdate()
    # Plain values, not model instances: this runs once for every signed-in request.
    assignments = list(
        user.role_assignments.filter(archived=False, organisation__archived=False)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("pk", "organisation_id", "all_sites", "role__name", "role__builtin",
                     "role__grants")
    )
    limited = [pk for pk, _org, all_sites, *_role in assignments if not all_sites]
    sites_of = {pk: set() for pk in limited}
    if limited:
        through = user.role_assignments.model.sites.through
        for pk, site in through.objects.filter(
                roleassignment_id__in=limited).values_list("roleassignment_id", "site_id"):
            sites_of[pk].add(site)
    # A built-in role's grants come from the role matrix (one frozenset per role and process,
    # its hash computed once); a custom role's are its own list.
    key = tuple((org, None if all_sites else frozenset(sites_of[pk]),
                 builtin_grants(role_name) if builtin else frozenset(own_grants))
                for pk, org, all_sites, role_name, builtin, own_grants in assignments)
    user._chainward_scope = _fold(key)
    return user._chainward_scope


class Fold:
    """A scope map and what is derived from it, computed once per distinct set of assignments
    (a few per organisation: people share roles and sites)."""

    def __init__(self, key):
        result = {}
        for org, sites, grants in key:
            for grant in grants:
                per_org = result.setdefault(grant, {})
                if org not in per_org:
                    per_org[org] = sites
                elif per_org[org] is not None:
                    per_org[org] = None if sites is None else per_org[org] | sites
        self.map = MappingProxyType({grant: MappingProxyType(per_org)
                                     for grant, per_org in result.items()})
        self.organisations = frozenset(org for per_org in result.values() for org in per_org)

    @cached_property
    def perms_key(self):
        """Per grant held, whether some organisation holds it whole (`model_perms_key`)."""
        return frozenset((grant, any(sites is None for sites in per_org.values()))
                         for grant, per_org in self.map.items() if per_org)


_FOLDS = {}
FOLDS_KEPT = 4096


def _fold(key):
    fold = _FOLDS.get(key)
    if fold is None:
        if len(_FOLDS) >= FOLDS_KEPT:
            _FOLDS.clear()
        fold = _FOLDS[key] = Fold(key)
    return fold


def model_perms_key(user):
    """Everything a model permission (`user.has_perm(perm)` without an object,
    `access.backends.ScopedPermissionBackend.has_model_perm`) is answered from, as a hashable
    value: per grant held, whether some organisation holds it whole. Two people with the same
    key get the same answer for every model permission (the navigation menu is cached by it)."""
    if not user.is_active or user.is_superuser:
        return (user.is_active, user.is_superuser)
    return _fold_of(user).perms_key


def forget(user):
    """Drop the cached map (after role assignments change within one request)."""
    if hasattr(user, "_chainward_scope"):
        del user._chainward_scope


def organisations_of(user):
    """Ids of organisations where the user holds any grant."""
    return set(_fold_of(user).organisations)


def scope_q(user, model, action):
    """A Q object selecting the rows of `model` on which `user` holds `action`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    reg = registration(model)
    if reg is None:
        raise LookupError(f"{model._meta.label} is not registered; it cannot be restricted.")
    per_org = scope_map(user).get(f"{reg.label}:{action}")
    if not per_org:
        return NOTHING
    q = NOTHING
    for org_id, sites in per_org.items():
        in_org = Q(**{reg.organisation_path: org_id})
        if sites is None:
            q |= in_org
        elif reg.site_paths:
            q |= in_org & _site_q(model, reg, action, sites)
        elif action == "view":
            # Organisation-wide reference records (partners, goods) are readable by people who
            # work at some of its sites; changing them needs an organisation-wide assignment.
            q |= in_org
    return q


def _site_q(model, reg, action, sites):
    """Q for "the record is at one of `sites`" under the registration's site rules.

    By default a record is at a site when any of its site paths reaches it (a leg from S1 to
    S2 is at both). With `site_fallback` the paths are tried in order and the first one set
    decides: a finding at S2 belongs to S2 even when its audit also covers S1; only a finding
    without a site of its own follows its audit's sites.
    """
    at_site, unset = NOTHING, Q()
    for path in reg.site_paths:
        reaches = _at_sites(model, path, sites)
        at_site |= (unset & reaches) if reg.extra.get("site_fallback") else reaches
        unset &= _at_sites(model, path, None)
    if action != "view":
        return at_site
    if reg.extra.get("siteless_is_organisation_wide"):
        # A record linked to no site applies to the whole organisation (a policy).
        at_site |= unset
    flag = reg.extra.get("organisation_wide_flag")
    if flag:
        # An explicit "whole organisation" scope (a gap assessment's) is read by everyone in
        # the organisation, whatever sites it also lists.
        at_site |= Q(**{flag: True})
    return at_site


def _at_sites(model, path, sites):
    """Q for "path reaches one of `sites`" (or "reaches no site" when sites is None).

    Paths through a many-to-many relation become a `pk__in` subquery so that the restricted
    queryset never repeats a row.
    """
    lookup = {f"{path}__isnull": True} if sites is None else {f"{path}__in": sites}
    if _crosses_many(model, path):
        return Q(pk__in=model._base_manager.filter(**lookup).values("pk"))
    return Q(**lookup)


def _crosses_many(model, path):
    for part in path.split("__"):
        if part in {"id", "pk"} or part.endswith("_id"):
            return False
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def allows(user, action, obj):
    """Whether `user` holds `action` on `obj`, evaluated without a query (works before saving)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    reg = registration(obj)
    per_org = scope_map(user).get(f"{reg.label}:{action}") or {}
    org_id = _resolve(obj, reg.organisation_path)
    if org_id not in per_org:
        return False
    sites = per_org[org_id]
    if sites is None:
        return True
    if not reg.site_paths:
        return action == "view"
    flag = reg.extra.get("organisation_wide_flag")
    if action == "view" and flag and _resolve(obj, flag) is True:
        return True
    return any(_resolve(obj, path) in sites for path in reg.site_paths
               if "__" not in path and not obj._meta.get_field(path).many_to_many)


def _resolve(obj, path):
    """Follow a `a__b_id` path on an instance."""
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj
