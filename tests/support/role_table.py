"""The role matrix as specified (role_matrix.csv, written by hand): the oracle of the generated
register tests, read independently of the registrations the code enforces."""

import csv
import functools
from pathlib import Path

TABLE = Path(__file__).with_name("role_matrix.csv")
# The table's column names and the built-in roles they stand for (spelled out here, not imported
# from the code, so that a renamed role shows up as a missing column).
COLUMNS = {
    "admin": "Administrator",
    "top": "Top management",
    "manager": "Security manager",
    "officer": "Site security officer",
    "auditor": "Internal auditor",
    "contributor": "Contributor",
    "viewer": "Viewer",
    "external": "External auditor",
}
CELLS = {"y": True, ".": False}


@functools.cache
def table():
    """`{model label: {action: frozenset(role names holding it)}}`, in the file's order."""
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines)]
    header, body = rows[0], rows[1:]
    if header[:2] != ["model", "action"] or set(header[2:]) != set(COLUMNS):
        raise ValueError(f"{TABLE.name}: header must be model, action, {', '.join(COLUMNS)}")
    result = {}
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{TABLE.name} row {number}: {len(row)} cells, expected "
                             f"{len(header)}: {row}")
        label, action, cells = row[0], row[1], row[2:]
        if any(cell not in CELLS for cell in cells):
            raise ValueError(f"{TABLE.name} row {number}: cells are y or . — {row}")
        actions = result.setdefault(label, {})
        if action in actions:
            raise ValueError(f"{TABLE.name} row {number}: {label} {action} appears twice")
        holders = zip(header[2:], cells, strict=True)
        actions[action] = frozenset(COLUMNS[column] for column, cell in holders if CELLS[cell])
    return result


def roles():
    """Every role the table has a column for."""
    return set(COLUMNS.values())


def actions(label):
    """The actions the table lists for a model (KeyError: the model is not in the table)."""
    return tuple(table()[label])


def granted(label, role):
    """The actions `role` holds on the model `label`, as specified."""
    return frozenset(action for action, holders in table()[label].items() if role in holders)


def differences(registration, all_marker="*"):
    """How a registration's row of the role matrix differs from the table (empty: none)."""
    label = registration.label
    if label not in table():
        return [f"{label} is registered but not in {TABLE.name}"]
    found = []
    if set(registration.actions) != set(actions(label)):
        found.append(f"{label}: actions {sorted(registration.actions)} registered, "
                     f"{sorted(actions(label))} in the table")
    for role in sorted(set(registration.roles) | roles()):
        declared = registration.roles.get(role, ())
        declared = set(registration.actions if declared == all_marker else declared)
        specified = set(granted(label, role))
        if declared != specified:
            extra, missing = sorted(declared - specified), sorted(specified - declared)
            found.append(f"{label} / {role}: registered but not specified {extra}, "
                         f"specified but not registered {missing}")
    return found
