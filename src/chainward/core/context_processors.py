"""Navigation built from the registers the user may see."""

from chainward.core.scope import organisations_of

from .registry import all_registers


def navigation(request):
    """Menu groups (only registers the user can view) and the organisations to switch between."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    groups = {}
    for register in all_registers():
        if not register.menu_group:
            continue
        if user.has_perm(f"{register.app_label}.view_{register.model_name}"):
            groups.setdefault(register.menu_group, []).append(register)
    from chainward.supplychain.models import Organisation

    orgs = Organisation.objects.filter(pk__in=organisations_of(user), archived=False) \
        if not user.is_superuser else Organisation.objects.filter(archived=False)
    return {"menu": groups, "organisations": orgs}
