"""Generated register tests: every persona × in-scope / out-of-scope / foreign record × action.

A register's test module declares a `RegisterCase` subclass (how to make a record at a site,
what a valid form looks like) and decorates a TestCase with `matrix_tests(case)`. The expected
outcome of each check comes from the role matrix *as specified* in `expected()` below; the
tests prove the UI, exports, search and the API enforce it on real requests.

The role part of the oracle is the hand-written table `role_matrix.csv` (`role_table`), never the
registrations' own role rows; tests/test_role_matrix_table.py compares the two.

Cells, not coverage, are what the matrix saves: personas whose specified grants on a register
are the same standard actions at the same scope (Viewer and External auditor on most records:
"view" over the whole organisation) exercise exactly the same code path — access is decided by
the grants a role assignment folds into, never by the role's name — so each such class of
personas is tested once, through its first member in PERSONAS order (`personas_for`). That every
role's registration grants what the table says is tested role by role in
tests/test_role_matrix_table.py, so a role whose grants drift leaves its class and is tested on
its own.
"""

import csv
import datetime
import io
import json
from decimal import Decimal
from os.path import commonprefix

from django.forms.models import model_to_dict

from chainward.ledger.context import actor_context

from . import role_table
from .world import PERSONAS, Persona, build_world

PLACEMENTS = ("in", "out", "foreign")
FOREIGN = Persona("Administrator", "foreign-org")


def expected(persona, register, action, placement):
    """Whether `persona` may `action` a record placed `in` S1, `out` at S2, or `foreign` (org B).

    `new_none` is a new record touching no site (a new site, an organisation-wide record);
    `new_in_out` one linking S1 to S2 (site-limited people cannot pick S2: they cannot see it).
    """
    reg = register.registration
    granted = role_table.granted(reg.label, persona.role)
    if persona is FOREIGN:
        return placement == "foreign_own" and action in granted
    if action not in granted or placement == "foreign":
        return False
    if persona.scope == "org":
        return True
    if not reg.site_paths:
        return action == "view"
    return placement in {"in", "new_in"}


STANDARD_ACTIONS = frozenset({"view", "add", "change", "delete", "export", "import"})


def personas_for(label):
    """One persona per class of identical (scope, specified standard grants) on `label`, plus
    the other organisation's administrator."""
    classes = {}
    for persona in PERSONAS:
        grants = frozenset(role_table.granted(label, persona.role)) & STANDARD_ACTIONS
        classes.setdefault((persona.scope, grants), persona)
    return [*classes.values(), FOREIGN]


def form_data(instance, fields, **overrides):
    """POST data of a record form, as the browser would send it."""
    data = {}
    for name, value in model_to_dict(instance, fields=fields).items():
        if value is None:
            value = ""
        elif isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        elif isinstance(value, (datetime.date, Decimal)) or not isinstance(value, (int, str)):
            value = str(getattr(value, "code", value))
        data[name] = value
    data["version"] = getattr(instance, "version", "")
    data.update(overrides)
    return data


class RegisterCase:
    """Declares how to build records of one register for the matrix."""

    register = None
    change_field = ("name", "Changed by matrix test")
    # A text field whose value make() sets uniquely per placement (found in exports, search).
    marker_field = "name"
    # The (dotted) field the global search finds the records by; defaults to `marker_field`.
    search_field = None
    # Whether create_data refers to other records (then B's admin cannot reuse it: 400).
    create_has_refs = False
    # The placement of a record created through `create_data`: "new_in" (touches S1) or
    # "new_none" (organisation-wide, or a new site).
    create_placement = "new_none"

    def make(self, world, placement):
        """A saved record in org A at S1 ("in"), org A at S2 ("out") or org B ("foreign")."""
        raise NotImplementedError

    def create_data(self, world):
        """POST data for a valid new record in org A (None: the register has no add)."""
        return None

    def marker(self, obj):
        """The unique text of `obj` (dotted `marker_field` path)."""
        return str(_dotted(obj, self.marker_field))

    def search_terms(self, records):
        """`{term: [placements]}`: what to type into the global search to find each record.

        One term for all placements when their values share a prefix of 4+ characters
        ("Partner in", "Partner out", … -> "Partner "), else one term per record."""
        values = {placement: str(_dotted(obj, self.search_field or self.marker_field))
                  for placement, obj in records.items()}
        prefix = commonprefix(list(values.values()))
        if len(prefix.strip()) >= 4:
            return {prefix: list(values)}
        terms = {}
        for placement, value in values.items():
            terms.setdefault(value, []).append(placement)
        return terms

    def change_value(self, placement):
        """The value `change_field` gets on the record at `placement` (distinct per record)."""
        return f"{self.change_field[1]} {placement}"

    def api_payload(self, data):
        """The same data for the JSON API."""
        payload = {}
        for key, value in data.items():
            if key == "version":
                continue
            payload[key] = True if value == "on" else value
        return payload

    @staticmethod
    def where(world, placement):
        """`(organisation, site)` for a placement."""
        if placement == "foreign":
            return world["org_b"], world["s3"]
        return world["org_a"], world["s1" if placement == "in" else "s2"]


def _dotted(obj, path):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _client_for(test, persona):
    user = test.world["foreign"] if persona is FOREIGN else test.world["users"][persona.key]
    test.client.force_login(user)
    return user


def _gen(persona, name, body):
    def test(self):
        body(self, persona)

    test.__name__ = f"test_{name}__{persona.key}"
    return test


def matrix_tests(case_class):
    """Class decorator: add the generated tests for every persona to a TestCase."""
    case = case_class()
    register = case.register()

    def decorate(cls):
        cls.case, cls.register = case, register

        @classmethod
        def set_up_test_data(klass):
            klass.world = build_world()
            with actor_context(None, name="matrix fixture"):
                klass.records = {p: case.make(klass.world, p) for p in PLACEMENTS}

        cls.setUpTestData = set_up_test_data
        for persona in personas_for(register.label):
            for name, body in CHECKS.items():
                test = _gen(persona, name, body)
                setattr(cls, test.__name__, test)
        return cls

    return decorate


def _placement_for(persona, placement):
    if persona is FOREIGN:
        return "foreign_own" if placement == "foreign" else "foreign"
    return placement


def check_list_and_detail(test, persona):
    _client_for(test, persona)
    register = test.register
    response = test.client.get(register.list_url)
    can_list = "view" in role_table.granted(register.label, persona.role)
    test.assertEqual(response.status_code, 200 if can_list else 403)
    for placement, obj in test.records.items():
        if obj is None:
            continue
        allowed = expected(persona, register, "view", _placement_for(persona, placement))
        detail = test.client.get(obj.get_absolute_url())
        test.assertEqual(detail.status_code, 200 if allowed else 404,
                         f"detail of the {placement} record")
        if can_list:
            listed = f'href="{obj.get_absolute_url()}"' in response.content.decode()
            test.assertEqual(listed, allowed, f"{placement} record in the list")


def check_search(test, persona):
    """Two-sided: the global search finds every record the persona may view, and only those
    (one search for all three records when their search texts share a prefix)."""
    _client_for(test, persona)
    records = {placement: obj for placement, obj in test.records.items() if obj is not None}
    for term, placements in test.case.search_terms(records).items():
        # Narrowed to this register: the other registers' searches are their own cells.
        response = test.client.get("/search/", {"q": term, "in": register_label(test)})
        test.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for placement in placements:
            found = f'href="{records[placement].get_absolute_url()}"' in page
            allowed = expected(persona, test.register, "view", _placement_for(persona, placement))
            test.assertEqual(found, allowed, f"the {placement} record found by searching {term!r}")


def register_label(test):
    return test.register.label


def check_change(test, persona):
    _client_for(test, persona)
    register, case = test.register, test.case
    field = case.change_field[0]
    for placement, obj in test.records.items():
        if obj is None:
            continue
        allowed = expected(persona, register, "change", _placement_for(persona, placement))
        new_value = case.change_value(placement)
        data = form_data(obj, register.form_fields, **{field: new_value})
        response = test.client.post(f"{obj.get_absolute_url()}edit/", data)
        obj.refresh_from_db()
        if allowed:
            test.assertEqual(response.status_code, 302,
                             response.content.decode()[:2000] if response.status_code != 302
                             else "")
            test.assertEqual(str(getattr(obj, field)), new_value)
        else:
            test.assertIn(response.status_code, (403, 404), f"change of the {placement} record")
            test.assertNotEqual(str(getattr(obj, field)), new_value)


def check_create(test, persona):
    user = _client_for(test, persona)
    register, case = test.register, test.case
    data = case.create_data(test.world)
    if data is None or not register.can_add:
        return
    before = register.model.objects.count()
    response = test.client.post(register.add_url, data)
    if persona is FOREIGN:
        # B's administrator adds in B; a form naming A's records is refused as invalid choices.
        # A model the table reserves from administrators (personnel screening) refuses them.
        if not expected(persona, register, "add", "foreign_own"):
            test.assertIn(response.status_code, (400, 403))
            test.assertEqual(register.model.objects.count(), before)
        elif case.create_has_refs:
            test.assertEqual(response.status_code, 400)
            test.assertEqual(register.model.objects.count(), before)
        else:
            test.assertEqual(response.status_code, 302)
            created = register.model.objects.order_by("-pk").first()
            test.assertEqual(created.organisation, test.world["org_b"])
            test.assertEqual(created.created_by, user)
        return
    allowed = expected(persona, register, "add", case.create_placement)
    if allowed:
        test.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        created = register.model.objects.order_by("-pk").first()
        test.assertEqual(created.created_by, user)
        test.assertEqual(created.organisation, test.world["org_a"])
    else:
        test.assertIn(response.status_code, (400, 403))
        test.assertEqual(register.model.objects.count(), before)


def check_archive(test, persona):
    _client_for(test, persona)
    register = test.register
    for placement, obj in test.records.items():
        if obj is None or not hasattr(obj, "archived"):
            continue
        allowed = expected(persona, register, "delete", _placement_for(persona, placement))
        response = test.client.post(f"{obj.get_absolute_url()}archive/",
                                    {"version": obj.version})
        obj.refresh_from_db()
        test.assertEqual(obj.archived, allowed, f"archive of the {placement} record")
        if not allowed:
            test.assertIn(response.status_code, (403, 404))


def check_export(test, persona):
    _client_for(test, persona)
    register = test.register
    response = test.client.get(register.list_url, {"export": "csv"})
    if response.status_code == 403:
        for placement in test.records:
            test.assertFalse(expected(persona, register, "export",
                                      _placement_for(persona, placement)))
        return
    test.assertEqual(response.status_code, 200)
    cells = {cell for row in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
             for cell in row}
    for placement, obj in test.records.items():
        if obj is None:
            continue
        shown = test.case.marker(obj) in cells
        allowed = expected(persona, register, "export", _placement_for(persona, placement))
        test.assertEqual(shown, allowed, f"{placement} record in the export")


def check_import_page(test, persona):
    _client_for(test, persona)
    register = test.register
    if not register.can_import:
        return
    response = test.client.get(register.import_url)
    site_paths = register.registration.site_paths
    # Importing creates records: site-limited people may import records placed at their sites.
    placement = "new_in" if site_paths and site_paths != ("id",) else "new_none"
    placement = "foreign_own" if persona is FOREIGN else placement
    allowed = expected(persona, register, "import", placement)
    test.assertEqual(response.status_code, 200 if allowed else 403)


def api_url(register, obj=None, suffix=""):
    base = f"/api/{register.app_label}/{register.url_prefix}/"
    return f"{base}{obj.pk}/{suffix}" if obj is not None else base


def check_api_read(test, persona):
    _client_for(test, persona)
    register = test.register
    response = test.client.get(api_url(register), {"limit": 500})
    test.assertEqual(response.status_code, 200)
    ids = {row["id"] for row in response.json()["results"]}
    for placement, obj in test.records.items():
        if obj is None:
            continue
        allowed = expected(persona, register, "view", _placement_for(persona, placement))
        test.assertEqual(obj.pk in ids, allowed, f"{placement} record in the API list")
        detail = test.client.get(api_url(register, obj))
        test.assertEqual(detail.status_code, 200 if allowed else 404)


def check_api_write(test, persona):
    user = _client_for(test, persona)
    register, case = test.register, test.case
    field = case.change_field[0]
    for placement, obj in test.records.items():
        if obj is None:
            continue
        allowed = expected(persona, register, "change", _placement_for(persona, placement))
        new_value = case.change_value(placement)
        response = test.client.patch(api_url(register, obj),
                                     data=json.dumps({field: new_value, "version": obj.version}),
                                     content_type="application/json")
        obj.refresh_from_db()
        if allowed:
            test.assertEqual(response.status_code, 200, response.content[:2000])
            test.assertEqual(str(getattr(obj, field)), new_value)
        else:
            test.assertIn(response.status_code, (403, 404), f"API change of {placement}")
    data = case.create_data(test.world)
    if data is None or not register.can_add:
        return
    before = register.model.objects.count()
    response = test.client.post(api_url(register), data=json.dumps(case.api_payload(data)),
                                content_type="application/json")
    if not register.api_can_add:
        test.assertEqual(response.status_code, 403, response.content[:2000])
        test.assertEqual(register.model.objects.count(), before)
        return
    placement = case.create_placement if persona is not FOREIGN else "foreign"
    if persona is FOREIGN:
        # B's administrator creates in B; every reference in the payload is A's, so it fails.
        # A model the table reserves from administrators (personnel screening) refuses them.
        if not expected(persona, register, "add", "foreign_own"):
            test.assertIn(response.status_code, (400, 403), response.content[:2000])
            test.assertEqual(register.model.objects.count(), before)
            return
        test.assertEqual(response.status_code, 400 if case.create_has_refs else 201,
                         response.content[:2000])
        if response.status_code == 201:
            _assert_created(test, register, response, user, test.world["org_b"])
        else:
            test.assertEqual(register.model.objects.count(), before)
        return
    if expected(persona, register, "add", placement):
        test.assertEqual(response.status_code, 201, response.content[:2000])
        _assert_created(test, register, response, user, test.world["org_a"])
    else:
        test.assertIn(response.status_code, (400, 403), response.content[:2000])
        test.assertEqual(register.model.objects.count(), before)


def _assert_created(test, register, response, user, organisation):
    """The API created the record in the caller's organisation, as the caller (as the UI does)."""
    created = register.model.objects.get(pk=response.json()["id"])
    test.assertEqual(created.organisation, organisation)
    test.assertEqual(created.created_by, user)


CHECKS = {
    "list_and_detail": check_list_and_detail,
    "search": check_search,
    "change": check_change,
    "create": check_create,
    "archive": check_archive,
    "export": check_export,
    "import_page": check_import_page,
    "api_read": check_api_read,
    "api_write": check_api_write,
}
