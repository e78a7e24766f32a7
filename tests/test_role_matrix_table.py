"""The registrations grant exactly what the hand-written role table (tests/support/
role_matrix.csv) specifies; the generated register tests take their expectations from the table."""

import dataclasses

import pytest

from chainward.core import roles
from chainward.core.registry import registrations
from tests.support import role_table


def test_every_built_in_role_has_a_column_and_every_column_is_a_built_in_role():
    assert set(roles.BUILTIN_ROLES) == role_table.roles()


def test_every_registered_model_is_in_the_table():
    missing = [reg.label for reg in registrations() if reg.label not in role_table.table()]
    assert not missing, f"add these models to {role_table.TABLE.name}: {missing}"


def test_every_model_in_the_table_is_registered():
    registered = {reg.label for reg in registrations()}
    assert not set(role_table.table()) - registered


@pytest.mark.parametrize("label", list(role_table.table()))
def test_registration_grants_what_the_table_specifies(label):
    registration = next(reg for reg in registrations() if reg.label == label)
    assert role_table.differences(registration) == []


def test_a_wrong_registration_is_caught():
    registration = next(reg for reg in registrations() if reg.label == "supplychain.partner")
    wrong_roles = {**registration.roles, roles.VIEWER: ("view", "change")}
    wrong = dataclasses.replace(registration, roles=wrong_roles)
    assert role_table.differences(wrong) == [
        "supplychain.partner / Viewer: registered but not specified ['change'], "
        "specified but not registered []"]
    missing_action = dataclasses.replace(registration, actions=(*registration.actions, "close"))
    assert role_table.differences(missing_action)[0].startswith("supplychain.partner: actions")
