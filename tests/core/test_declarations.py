"""A record's fields are declared once (`Register.fields`, issue 10): the form, the detail page,
the import columns, the pre-fill from the query string and the API serializer are derived from
that declaration, and `declaration_problems` names every path that drifts from it."""

import pytest
from rest_framework import serializers

from chainward.core.api import RecordSerializer
from chainward.core.register import declaration_problems
from chainward.core.registry import all_registers, get_register
from chainward.risk.models import Process, Rating
from chainward.supplychain.models import Site

REGISTERS = all_registers()


@pytest.mark.parametrize("register", REGISTERS, ids=[r.label for r in REGISTERS])
def test_form_detail_import_and_api_follow_the_declaration(register):
    assert declaration_problems(register) == []


def drifted(base, **attrs):
    """A register like `base`'s, with some attributes changed (not registered anywhere)."""
    return type("Drifted" + type(base).__name__, (type(base),), attrs)()


class LosesOwner(RecordSerializer):
    """A serializer override that drops a declared field."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("owner")
        return fields


class OwnerReadOnly(RecordSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)


def test_a_declared_field_missing_from_the_serializer_is_reported():
    register = drifted(get_register(Process), serializer_class=LosesOwner)
    assert declaration_problems(register) == [
        "DriftedProcessRegister: the serializer lacks owner"]


def test_a_writable_field_the_serializer_makes_read_only_is_reported():
    register = drifted(get_register(Process), serializer_class=OwnerReadOnly)
    assert declaration_problems(register) == [
        "DriftedProcessRegister: the serializer's owner is read-only, the declaration says "
        "writable"]


def test_a_form_that_drops_a_declared_field_is_reported():
    base = get_register(Process)

    class NoSites(base.form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self.fields["sites"]

    register = drifted(base, form_class=NoSites)
    assert declaration_problems(register) == ["DriftedProcessRegister: the form lacks sites"]


def test_lists_outside_the_declaration_are_reported():
    base = get_register(Process)
    register = drifted(base, import_fields=("name", "cost"), detail_fields=("name", "grade"))
    problems = declaration_problems(register)
    assert "DriftedProcessRegister.detail_fields: grade not in the declaration" in problems
    assert "DriftedProcessRegister.import_fields: cost not in the declaration" in problems
    assert "DriftedProcessRegister.import_required: kind, owner not in the declaration" \
        in problems  # required columns the narrower import no longer has


def test_a_computed_field_must_be_declared_read_only():
    base = get_register(Rating)
    register = drifted(base, read_only_fields=("consequence",))
    problems = declaration_problems(register)
    assert "DriftedRatingRegister.fields: inherent_level cannot be edited; list it in " \
        "read_only_fields" in problems


def test_derived_lists_follow_the_declaration_and_narrower_ones_stay():
    rating = get_register(Rating)
    assert "consequence" in rating.fields and "consequence" in rating.api_fields
    assert "consequence" not in rating.form_fields  # computed: read-only
    assert "consequences" not in rating.form_fields  # asked per category by RatingForm
    assert "countermeasures" in rating.form_fields
    assert "countermeasures" not in rating.import_fields  # the narrower import list
    fields = rating.get_serializer_class()().fields
    assert fields["consequence"].read_only and not fields["consequences"].read_only
    process = get_register(Process)
    assert process.form_fields == process.import_fields == process.detail_fields == \
        process.fields == ("name", "kind", "owner", "description", "sites")
    assert process.initial_from_query == ("owner",)


def test_every_add_link_of_a_related_panel_pre_fills_its_field():
    missing = [f"{register.label}: {panel.title} ?{panel.add_field}="
               for register in REGISTERS for panel in register.related_panels
               if panel.add_field and panel.add_field not in
               get_register(panel.register_class.model).initial_from_query]
    assert missing == []


def test_the_sites_operated_panel_pre_fills_the_operator(admin_client, world):
    """The partner page's "Sites operated → Add" link names the operator (it was dropped)."""
    carrier = world["carrier_a"]
    response = admin_client.get(f"/supplychain/sites/add/?operator={carrier.pk}")
    assert response.status_code == 200
    assert response.context["form"]["operator"].value() == str(carrier.pk)
    assert Site._meta.get_field("operator").related_model is type(carrier)
