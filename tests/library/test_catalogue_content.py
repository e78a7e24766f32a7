"""Catalogue content an auditor checks first (issue 12): expectations written by hand from the
standards and the public sources named in each file, read straight from the shipped YAML."""

import functools

import pytest
import yaml

from chainward.library import loader


@functools.cache
def library(name):
    return yaml.safe_load((loader.CATALOG_DIR / f"{name}.yaml").read_text())


def framework(name, urn):
    return next(f for f in library(name)["objects"]["frameworks"] if f["urn"] == urn)


def requirements(name, urn):
    return {r["ref_id"]: r for r in framework(name, urn)["requirements"]}


ISO28000 = ("iso28000-2022", "urn:chainward:framework:iso28000-2022")


@pytest.mark.parametrize("path", sorted(loader.CATALOG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_no_title_an_auditor_sees_is_a_placeholder(path):
    text = path.read_text().lower()
    assert "to be confirmed" not in text and "title-unconfirmed" not in text


def test_the_iso28000_principles_have_real_titles_and_are_marked_for_checking():
    reqs = requirements(*ISO28000)
    titles = {reqs[f"4.2.3.{n}"]["title"] for n in range(4, 10)}
    # ISO 31000:2018 principles not already covered by 4.2.3.2 and 4.2.3.3 (order unconfirmed).
    assert titles == {"Integrated", "Customized", "Inclusive", "Dynamic",
                      "Human and cultural factors", "Continual improvement"}
    assert all(reqs[f"4.2.3.{n}"]["needs_check"] for n in range(4, 10))
    assert reqs["4.2.3.2"]["title"] == "Leadership"


def test_objectives_are_retained_documented_information():
    reqs = requirements(*ISO28000)
    # HS 6.2 "retain documented information on the objectives" (public Annex SL text).
    assert reqs["6.2.1"]["documented_information"] == "R"
    assert not reqs["6.2.1"].get("needs_check")
    # 6.2.2 is the HS planning list, which says nothing of its own about documented
    # information: its R rests on working knowledge and stays marked for checking.
    assert reqs["6.2.2"]["documented_information"] == "R"
    assert reqs["6.2.2"]["needs_check"] and "licensed copy" in reqs["6.2.2"]["check_note"]
    assert reqs["4.2.2"]["documented_information"] == "M"


def test_the_climate_amendment_is_recorded_on_4_1_and_4_2():
    amendment, = framework(*ISO28000)["amendments"]
    assert amendment["ref_id"] == "ISO 28000:2022/Amd 1:2024"
    assert set(amendment["affects"]) == {"4.1", "4.2"}
    assert "apcergroup.com" in amendment["note"]  # the public IAF/ISO communiqué it cites
    reqs = requirements(*ISO28000)
    for ref in ("4.1", "4.2"):
        assert "climate" in reqs[ref]["tags"] and "Amd 1:2024" in reqs[ref]["note"]


def test_iso28001_keeps_the_six_category_codes_with_our_own_examples_only():
    objects = library("iso28001-2007")["objects"]
    categories = {c["ref_id"]: c for c in objects["threat_categories"]}
    assert list(categories) == ["UA", "SM", "IC", "CI", "UU", "OT"]
    examples = " ".join(e for c in categories.values() for e in c["examples"]).lower()
    for phrase in ("into or out of a country or economy", "kidnapping or killing",
                   "damage an external target", "societal or economic disruption"):
        assert phrase not in examples
    assert "checklist_templates" not in objects  # the annex-derived considerations list is gone


def test_iso28001_paraphrases_no_longer_follow_the_standards_sentences():
    reqs = requirements("iso28001-2007", "urn:chainward:framework:iso28001-2007")
    assert "processes and facilities" not in reqs["4.5"]["paraphrase"]
    assert "throughout your portion" not in reqs["5.1"]["paraphrase"]
    assert not reqs["4.4"]["paraphrase"].startswith("List in the statement")
    assert "find, obtain and assess" not in requirements(*ISO28000)["4.2.2"]["paraphrase"]


def test_aeo_security_section_follows_the_union_customs_code_order():
    saq = requirements("eu-aeo-saq", "urn:chainward:framework:eu-aeo-saq-ucc")
    section6 = [ref for ref in saq if ref.startswith("6.")]
    assert section6 == [f"6.{n}" for n in range(1, 13)]
    assert saq["6.2"]["title"] == "Building security" and not saq["6.2"]["needs_check"]
    assert saq["6.3"]["title"] == "Access to premises"
    assert saq["6.6"]["title"] == "Incoming goods" and not saq["6.6"]["needs_check"]
    # the pre-UCC framework is not shipped any more, so the loader retires it
    urns = {f["urn"] for f in library("eu-aeo-saq")["objects"]["frameworks"]}
    assert urns == {"urn:chainward:framework:eu-aeo-saq-ucc"}


def test_ctpat_importer_tiers_are_the_ones_cbp_uses():
    importer = framework("ctpat-msc", "urn:chainward:framework:ctpat-msc-importers")
    assert [level["ref_id"] for level in importer["levels"]] == ["tier-1", "tier-2", "tier-3"]
    assert "certified" in importer["levels"][0]["name"].lower()


CONFIRMED_FOR_EVERY_ENTITY = {"1.1", "1.2", "6.1", "6.2", "7.37", "11.5"}


@pytest.mark.parametrize("name,entity", [
    ("ctpat-msc-highway-carriers", "highway-carrier"),
    ("ctpat-msc-third-party-logistics", "third-party-logistics"),
    ("ctpat-msc-foreign-manufacturers", "foreign-manufacturer"),
])
def test_ctpat_entity_tables_mark_every_unconfirmed_criterion(name, entity):
    table = framework(name, f"urn:chainward:framework:{name}")
    assert [level["ref_id"] for level in table["levels"]] == ["certified", "validated"]
    assert table["complete"] is False
    criteria = {r["ref_id"]: r for r in table["requirements"] if r.get("flag")}
    assert len([r for r in table["requirements"] if r["depth"] == 2]) == 12
    assert {ref for ref, r in criteria.items() if not r["needs_check"]} == \
        CONFIRMED_FOR_EVERY_ENTITY
    assert all(r["check_note"] for r in criteria.values() if r["needs_check"])
    assert all(r["entity_types"] == [entity] for r in criteria.values())
    assert criteria["1.1"]["flag"] == "should" and criteria["7.37"]["flag"] == "must"
    assert "5.15" not in criteria or entity == "foreign-manufacturer"  # shipper GPS access


def test_tapa_skeletons_carry_the_2023_editions_and_the_parking_standard():
    tapa = {f["ref_id"]: f for f in library("tapa")["objects"]["frameworks"]}
    assert tapa["TAPA FSR"]["edition"].startswith("FSR 2023")
    assert tapa["TAPA TSR"]["edition"].startswith("TSR 2023")
    psr = tapa["TAPA PSR"]
    assert psr["edition"] == "PSR 2023"
    assert [level["ref_id"] for level in psr["levels"]] == ["partner", "3", "2", "1"]
    assert psr["requirements"] and all(r["needs_check"] for r in psr["requirements"])
