"""Navigation built from the registers the user may see."""

from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from chainward.core.scope import model_perms_key, organisations_of

from .registry import all_registers

# The menus' HTML by what they depend on (the registers, the URLs, the language, the user's
# model permissions): a few distinct sets of grants per organisation, so a handful of entries. Every
# page draws the menu; rendering its ~80 links and permission checks was a third of a small
# page's time.
_MENUS = {}
MENUS_KEPT = 512


def main_menu(user):
    """The register menus of the navigation bar (only registers the user can view, by group),
    rendered once per set of model permissions and remembered."""
    registers = [register for register in all_registers() if register.menu_group]
    key = (tuple(map(id, registers)), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(),
           get_language(), model_perms_key(user))
    html = _MENUS.get(key)
    if html is None:
        groups = {}
        for register in registers:
            if user.has_perm(f"{register.app_label}.view_{register.model_name}"):
                groups.setdefault(register.menu_group, []).append(register)
        html = render_to_string("core/_main_menu.html",
                                {"menu": groups, "perms": PermWrapper(user)})
        if len(_MENUS) >= MENUS_KEPT:
            _MENUS.clear()
        _MENUS[key] = html
    return html


def navigation(request):
    """The menu groups and the organisations to switch between."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from chainward.supplychain.models import Organisation

    orgs = Organisation.objects.filter(pk__in=organisations_of(user), archived=False) \
        if not user.is_superuser else Organisation.objects.filter(archived=False)
    return {"main_menu": SimpleLazyObject(lambda: main_menu(user)), "organisations": orgs}
