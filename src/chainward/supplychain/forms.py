"""Forms of the supply-chain pages beyond the generic registers."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from chainward.core.forms import RecordForm, style_widgets
from chainward.core.lookups import use_lookups

from . import services
from .models import Organisation, Partner
from .services import ORGANISATION_FIELDS


class OrganisationCreateForm(forms.ModelForm):
    """A new organisation and the address of its first administrator; the rules live in
    `services.create_organisation`, which this form only feeds."""

    administrator_email = forms.EmailField(
        label="First administrator's e-mail",
        help_text="They receive an invitation to join as Administrator and choose their own "
                  "password; nobody is added without accepting it.")
    administrator_name = forms.CharField(label="First administrator's name", required=False,
                                         max_length=150)

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class LegForm(RecordForm):
    """A leg whose ends are sites or partners' own facilities (issue 13 item 11): choosing a
    partner instead of a site ends the leg at `services.partner_facility` — the partner's
    facility node, recorded on first use inside the leg's own save."""

    ENDS = (("from_site", "from_partner"), ("to_site", "to_partner"))

    from_partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(), required=False,
        label="…or from a partner's own facility",
        help_text="A supplier's or customer's premises: no need to add a site for it first.")
    to_partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(), required=False,
        label="…or to a partner's own facility",
        help_text="A customer's or supplier's premises: no need to add a site for it first.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._facilities = {}  # site field -> partner whose facility the save records
        for site_name, _partner_name in self.ENDS:
            self.fields[site_name].required = False
        self.order_fields(["from_site", "from_partner", "to_site", "to_partner"])
        # The partner fields are the form's own, not the register's: give them the same
        # scoped type-ahead as every related field (core.lookups).
        suffix = f"?record={self.instance.pk}" if self.instance.pk else ""
        use_lookups(self, lambda name: reverse("lookup", args=["supplychain.leg", name])
                    + suffix if name in ("from_partner", "to_partner") else None)

    def clean(self):
        cleaned = super().clean()
        for site_name, partner_name in self.ENDS:
            site, partner = cleaned.get(site_name), cleaned.get(partner_name)
            if site_name in self.errors or partner_name in self.errors:
                continue
            if site and partner:
                self.add_error(partner_name, "Choose a site or a partner's facility, not both.")
            elif not site and not partner:
                self.add_error(site_name, "Choose a site, or below it the partner whose own "
                                          "facility this end is.")
            elif partner:
                try:
                    existing = services.partner_facility(self.user, partner, create=False)
                except ValidationError as refused:
                    self.add_error(partner_name, refused)
                    continue
                if existing is None:
                    self._facilities[site_name] = partner
                else:
                    cleaned[site_name] = existing
        return cleaned

    def _get_validation_exclusions(self):
        # An end whose facility is recorded on save has no site yet: not "required" here.
        return super()._get_validation_exclusions() | set(self._facilities)

    def before_save(self, user):
        """Record the partners' facilities the leg ends at (inside `save_record`)."""
        for site_name, partner in self._facilities.items():
            setattr(self.instance, site_name, services.partner_facility(user, partner))
