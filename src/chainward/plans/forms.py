"""Forms of security objectives."""

from chainward.access.models import User
from chainward.core.forms import RecordForm


class SecurityObjectiveForm(RecordForm):
    """Create or edit an objective; its owner is chosen among the organisation's people."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields.get("owner")
        if owner is not None and self.organisation is not None:
            # People of other organisations are neither listed nor accepted.
            members = User.objects.filter(role_assignments__organisation=self.organisation,
                                          role_assignments__archived=False)
            current = [self.instance.owner_id] if self.instance.owner_id else []
            owner.queryset = User.objects.filter(pk__in=members.values("pk")) | \
                User.objects.filter(pk__in=current)
