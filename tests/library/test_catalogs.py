"""Shipped catalogues: valid against the schema, complete, loadable twice, upgradable."""

import re

import pytest
import yaml
from django.test import TestCase

from chainward.library import loader
from chainward.library.models import Framework, Library, Requirement, RequirementMapping

MISSING = "urn:chainward:req:iso28000-2022:99.9"
SHIPPED = sorted(loader.CATALOG_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_validates_against_the_schema(path):
    document, checksum = loader.read(path)
    assert document["licence"].strip() and len(checksum) == 64


class ShippedLibraries(TestCase):
    """Every shipped library loaded once for the class (loading takes a few seconds)."""

    @classmethod
    def setUpTestData(cls):
        for path in loader.shipped_files():
            loader.load(path)

    def test_iso28000_holds_every_clause_4_1_to_10_2(self):
        # standards.md §1.1: every clause and sub-clause title, read from the reference tree.
        expected = """4.1 4.2 4.2.1 4.2.2 4.2.3 4.3 4.4 5.1 5.2 5.2.1 5.2.2 5.3 6.1 6.1.1 6.1.2
            6.1.3 6.2 6.2.1 6.2.2 6.3 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3 8.1 8.2 8.3 8.4 8.5
            8.5.1 8.5.2 8.5.3 8.6 8.6.1 8.6.2 8.6.3 8.6.4 8.6.5 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1
            9.3.2 9.3.3 10.1 10.2""".split()
        refs = set(Framework.objects.get(urn="urn:chainward:framework:iso28000-2022")
                   .requirements.values_list("ref_id", flat=True))
        assert not set(expected) - refs
        assert iso28000("8.2").parent == iso28000("8")
        assert Requirement.objects.filter(framework__urn="urn:chainward:framework:iso28000-2022",
                                          documented_information="M").exists()

    def test_ctpat_holds_12_categories_and_criteria_with_flags(self):
        framework = Framework.objects.get(urn="urn:chainward:framework:ctpat-msc-importers")
        categories = framework.requirements.filter(depth=2)
        assert categories.count() == 12
        criteria = framework.requirements.filter(depth=3)
        assert criteria.count() >= 90
        assert set(criteria.values_list("flag", flat=True)) == {"must", "should"}
        assert criteria.filter(needs_check=True).exists()

    def test_harmonized_structure_maps_the_five_standards(self):
        rows = RequirementMapping.objects.values_list("source__framework__urn",
                                                      "target__framework__urn")
        frameworks = {urn for row in rows for urn in row}
        for code in ("iso28000-2022", "iso9001", "iso14001", "iso27001", "iso22301"):
            assert any(code in urn for urn in frameworks), code

    def test_paraphrases_are_short_and_our_own(self):
        # At most two lines (~300 characters); no "shall" sentences lifted from a standard.
        for text in Requirement.objects.values_list("paraphrase", flat=True):
            assert len(text) <= 300
            assert not re.search(r"\bThe organization shall\b", text)

    def test_loading_twice_changes_nothing(self):
        counts = (Library.objects.count(), Requirement.objects.count())
        again = [loader.load(path) for path in loader.shipped_files()]
        assert {r.outcome for r in again} == {"unchanged"}
        assert (Library.objects.count(), Requirement.objects.count()) == counts


def iso28000(ref):
    return Requirement.objects.get(urn=f"urn:chainward:req:iso28000-2022:{ref}")


def _variant(tmp_path, source, edit, bump):
    """A copy of `source` edited by `edit`, its version raised by `bump` (0: same version)."""
    document = yaml.safe_load(source.read_text())
    document["version"] += bump
    edit(document)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return path


def test_a_newer_version_updates_adds_and_retires_but_keeps_ids(db, tmp_path):
    loader.load(loader.CATALOG_DIR / "wco-safe.yaml")
    source = loader.CATALOG_DIR / "wco-safe.yaml"
    framework = Framework.objects.get(library__urn="urn:chainward:library:wco-safe")
    first, last = framework.requirements.order_by("order")[0], \
        framework.requirements.order_by("-order")[0]

    def edit(document):
        requirements = document["objects"]["frameworks"][0]["requirements"]
        requirements[0]["title"] = "Renamed area"
        removed = requirements.pop()
        requirements.append({**removed, "urn": removed["urn"] + "-new", "ref_id": "Z"})

    result = loader.load(_variant(tmp_path, source, edit, 1))
    assert result.outcome == "upgraded"
    first.refresh_from_db()
    last.refresh_from_db()
    assert first.title == "Renamed area" and last.retired
    assert framework.requirements.filter(ref_id="Z", retired=False).exists()


def test_same_version_with_changed_content_is_refused(db, tmp_path):
    loader.load(loader.CATALOG_DIR / "wco-safe.yaml")
    source = loader.CATALOG_DIR / "wco-safe.yaml"
    path = _variant(tmp_path, source, lambda d: d.update(description="changed"), 0)
    with pytest.raises(loader.CatalogError, match="raise the version number"):
        loader.load(path)


def test_a_malformed_file_names_the_place_and_loads_nothing(db, tmp_path):
    source = loader.CATALOG_DIR / "wco-safe.yaml"

    def edit(document):
        document["objects"]["frameworks"][0]["requirements"][3]["depth"] = "deep"

    with pytest.raises(loader.CatalogError) as failure:
        loader.load(_variant(tmp_path, source, edit, 0))
    location, message = failure.value.problems[0]
    assert location == "objects/frameworks/0/requirements/3/depth"
    assert "'deep'" in message
    assert not Library.objects.exists()


def test_a_mapping_to_an_unknown_requirement_rolls_everything_back(db, tmp_path):
    loader.load(loader.CATALOG_DIR / "iso28000-2007.yaml")
    loader.load(loader.CATALOG_DIR / "iso28000-2022.yaml")
    source = loader.CATALOG_DIR / "mapping-iso28000-2007-2022.yaml"

    def edit(document):
        document["objects"]["mappings"][0]["entries"][-1]["target_urn"] = MISSING

    with pytest.raises(loader.CatalogError, match=f"unknown requirement {MISSING}"):
        loader.load(_variant(tmp_path, source, edit, 0))
    assert not Library.objects.filter(urn__contains="mapping-iso28000").exists()
    assert not RequirementMapping.objects.exists()


@pytest.mark.own_sqlite  # a fresh instance folder: SQLite whatever the suite runs on
@pytest.mark.django_db  # the instance is a copy of the (empty) test database
def test_catalogs_command_lists_each_library_with_counts_and_licence(tmp_path, sqlite_instance):
    loaded = sqlite_instance.run("catalogs", "load", check=False)
    assert loaded.returncode == 0, loaded.stderr
    listing = sqlite_instance.run("catalogs", "list").stdout
    for path in SHIPPED:
        document = yaml.safe_load(path.read_text())
        urn, version = document["urn"], document["version"]
        assert re.search(rf"{re.escape(urn)}  v{version}  \d+ nodes", listing), urn
    assert listing.count("licence: ") == len(SHIPPED)
    bad = tmp_path / "bad.yaml"
    bad.write_text("urn: [unclosed")
    failed = sqlite_instance.run("catalogs", "load", str(bad), check=False)
    assert failed.returncode != 0
    assert failed.stderr.strip().splitlines()[-1].startswith("CommandError: bad.yaml: line 1")


def test_an_upgrade_keeps_the_assessments_made_with_the_old_version(db, tmp_path, world):
    from chainward.compliance.models import GapAssessment
    from chainward.compliance.services import populate_statuses, set_status

    loader.load(loader.CATALOG_DIR / "wco-safe.yaml")
    framework = Framework.objects.get(library__urn="urn:chainward:library:wco-safe")
    manager = world["users"]["security_manager__org"]
    from chainward.ledger.context import actor_context

    with actor_context(manager):
        assessment = GapAssessment.objects.create(organisation=world["org_a"], title="SAFE",
                                                  framework=framework)
        populate_statuses(manager, assessment)
    rows = list(assessment.statuses.select_related("requirement"))
    last = rows[-1]
    set_status(manager, last, status="largely", notes="kept")

    def edit(document):
        document["objects"]["frameworks"][0]["requirements"].pop()

    loader.load(_variant(tmp_path, loader.CATALOG_DIR / "wco-safe.yaml", edit, 1))
    last.refresh_from_db()
    assert (last.status, last.notes) == ("largely", "kept")
    assert last.requirement.retired
    assert assessment.statuses.count() == len(rows)
