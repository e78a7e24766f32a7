"""Forms of the certification app: people fields limited to the organisation's members."""

from chainward.access.models import User
from chainward.core.forms import RecordForm


class MembersForm(RecordForm):
    """Person fields offer only people with a role in the organisation (and the current one)."""

    people_fields = ("chair", "owner", "attendees")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.organisation is None:
            return
        members = User.objects.filter(role_assignments__organisation=self.organisation,
                                      role_assignments__archived=False).values("pk")
        for name in self.people_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            current = []
            if self.instance.pk is not None:
                value = getattr(self.instance, f"{name}_id", None)
                current = [value] if value else []
            field.queryset = User.objects.filter(pk__in=members) | \
                User.objects.filter(pk__in=current)


def frameworks_for(organisation):
    """Shipped frameworks and the organisation's own, never another organisation's."""
    from django.db.models import Q

    from chainward.library.models import Framework

    return Framework.objects.filter(retired=False).filter(
        Q(library__organisation__isnull=True) | Q(library__organisation=organisation))


class CertificateForm(RecordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "framework" in self.fields:
            self.fields["framework"].queryset = frameworks_for(self.organisation)
