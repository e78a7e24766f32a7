"""Which organisation the user is working in."""

from django.utils.functional import SimpleLazyObject

from .scope import organisations_of

SESSION_KEY = "chainward_organisation"


def active_organisation(request):
    """The organisation chosen in the session, else the user's first; None without any role."""
    from chainward.supplychain.models import Organisation

    user = request.user
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        allowed = Organisation.objects.filter(archived=False)
    else:
        allowed = Organisation.objects.filter(pk__in=organisations_of(user), archived=False)
    chosen = request.session.get(SESSION_KEY)
    return (chosen and allowed.filter(pk=chosen).first()) or allowed.order_by("name").first()


class OrganisationMiddleware:
    """Sets `request.organisation`, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: active_organisation(request))
        return self.get_response(request)
