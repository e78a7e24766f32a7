"""Querysets that know how to restrict themselves to what a user may see or change."""

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """Adds `restrict(user, action)`: the one definition lists, API, exports and jobs filter by."""

    def restrict(self, user, action="view"):
        """Only the rows on which `user` holds `action`, through their role assignments."""
        from chainward.access.scope import scope_q

        return self.filter(scope_q(user, self.model, action))


def visible(model, user, organisation):
    """Unarchived records of `organisation` that `user` may see (reports, packs, review inputs)."""
    return model.objects.restrict(user, "view").filter(organisation=organisation, archived=False)
