"""Which frameworks permit excluding a requirement ("not applicable"), declared per framework in
the shipped catalogues and loaded onto `Framework.allows_exclusions` (issue 12).

The expected flags are written by hand from the reasons recorded in /work/shared/reference and
in each catalogue's `exclusions_note`: ISO management-system standards apply every requirement
to the whole scope (exclusions are a scope decision, ISO 28000 4.3), while the C-TPAT criteria
tables, the EU AEO questionnaire, WCO SAFE and TAPA are answered per business model and
certification level.
"""

import pytest
import yaml

from chainward.library import loader
from chainward.library.models import Framework

EXPECTED = {
    "urn:chainward:framework:iso28000-2022": False,
    "urn:chainward:framework:iso28000-2007": False,
    "urn:chainward:framework:iso28001-2007": False,
    "urn:chainward:framework:hs-core": False,
    "urn:chainward:framework:iso9001-2015": False,
    "urn:chainward:framework:iso14001-2015": False,
    "urn:chainward:framework:iso27001-2022": False,
    "urn:chainward:framework:iso22301-2019": False,
    "urn:chainward:framework:ctpat-msc-importers": True,
    "urn:chainward:framework:ctpat-msc-highway-carriers": True,
    "urn:chainward:framework:ctpat-msc-third-party-logistics": True,
    "urn:chainward:framework:ctpat-msc-foreign-manufacturers": True,
    "urn:chainward:framework:eu-aeo-saq-ucc": True,
    "urn:chainward:framework:wco-safe-aeo": True,
    "urn:chainward:framework:tapa-fsr": True,
    "urn:chainward:framework:tapa-tsr": True,
    "urn:chainward:framework:tapa-psr": True,
}


def shipped_frameworks():
    for path in sorted(loader.CATALOG_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for framework in (document.get("objects") or {}).get("frameworks") or []:
            yield path.name, framework


def test_every_shipped_framework_declares_the_flag_and_why():
    declared = {}
    for filename, framework in shipped_frameworks():
        assert "allows_exclusions" in framework, f"{filename}: {framework['urn']}"
        assert len(framework.get("exclusions_note", "").strip()) > 40, framework["urn"]
        declared[framework["urn"]] = framework["allows_exclusions"]
    assert declared == EXPECTED


@pytest.mark.django_db
def test_the_loader_sets_the_flag_on_the_framework():
    for path in loader.shipped_files():
        loader.load(path)
    loaded = dict(Framework.objects.filter(retired=False).values_list("urn", "allows_exclusions"))
    assert loaded == EXPECTED
    iso = Framework.objects.get(urn="urn:chainward:framework:iso28000-2022")
    assert "4.3" in iso.exclusions_note


@pytest.mark.django_db
def test_a_framework_without_the_flag_allows_no_exclusions(tmp_path):
    # A file that does not say so (a customer's YAML upload) is read strictly.
    source = loader.CATALOG_DIR / "wco-safe.yaml"
    document = yaml.safe_load(source.read_text())
    del document["objects"]["frameworks"][0]["allows_exclusions"]
    del document["objects"]["frameworks"][0]["exclusions_note"]
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    loader.load(path)
    framework = Framework.objects.get(urn="urn:chainward:framework:wco-safe-aeo")
    assert framework.allows_exclusions is False and framework.exclusions_note == ""


@pytest.mark.django_db
def test_flipping_the_flag_in_a_new_version_updates_the_framework(tmp_path):
    loader.load(loader.CATALOG_DIR / "wco-safe.yaml")
    source = loader.CATALOG_DIR / "wco-safe.yaml"
    document = yaml.safe_load(source.read_text())
    document["version"] += 1
    document["objects"]["frameworks"][0]["allows_exclusions"] = False
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    assert loader.load(path).outcome == "upgraded"
    assert Framework.objects.get(urn="urn:chainward:framework:wco-safe-aeo") \
        .allows_exclusions is False
