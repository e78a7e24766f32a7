"""What the people models share: the user model's name, the same-organisation check of
related records, and the site copied from a parent record (`SiteFromParent`)."""


from django.conf import settings

USER = settings.AUTH_USER_MODEL


def _same_organisation(obj, names):
    """Field errors for related records of another organisation."""
    errors = {}
    for name in names:
        field = obj._meta.get_field(name)
        related = getattr(obj, name) if getattr(obj, f"{name}_id") else None
        if related is not None and obj.organisation_id and \
                related.organisation_id != obj.organisation_id:
            errors[name] = f"Choose a {field.verbose_name} of this organisation."
    return errors


class SiteFromParent:
    """A record whose `site` (its scope path) is copied from a parent record — the person, or
    the role — named by `site_from`: it follows the parent whatever sets it, and on every save."""

    site_from = "person"

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == self.site_from:
            super().__setattr__("site_id", getattr(value, "site_id", None))

    def save(self, *args, **kwargs):
        parent_id = getattr(self, f"{self.site_from}_id")
        self.site_id = getattr(self, self.site_from).site_id if parent_id else None
        super().save(*args, **kwargs)
