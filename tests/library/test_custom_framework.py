"""Custom frameworks: CSV/XLSX/YAML uploads, row-level errors, one organisation only."""

import io
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from chainward.compliance.models import GapAssessment
from chainward.core.registry import get_register
from chainward.ledger.models import LedgerEntry
from chainward.library import custom
from chainward.library.models import Framework, Library, Requirement

IMPORT_URL = "/library/frameworks/import/"
HEADER = ["ref_id", "parent_ref", "title", "description", "assessable",
          "documented_information", "evidence_examples", "tags"]
ROWS = [
    ["1", "", "Physical security", "", "no", "", "", "site"],
    ["1.1", "1", "Perimeter fence", "Keep the yard fenced and lit.", "yes", "R",
     "Patrol log; Fence photos", "perimeter; Night Shift"],
    ["1.2", "1", "Visitor control", "Register and badge every visitor.", "", "M", "", ""],
    ["2", "", "Personnel", "Screen staff in sensitive roles.", "yes", "I", "", ""],
]
FIELDS = {"name": "ACME supplier security requirements", "reference": "ACME-SUP-2026",
          "version": 1}


def csv_bytes(rows, header=HEADER):
    lines = [",".join(header)] + [",".join(f'"{v}"' for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(client, data, filename="acme.csv", **fields):
    payload = {**FIELDS, **fields, "file": SimpleUploadedFile(filename, data)}
    return client.post(IMPORT_URL, payload)


def upload(client, data, filename="acme.csv", **fields):
    """Preview, then confirm; returns the confirmation response."""
    response = preview(client, data, filename, **fields)
    plan = response.context["plan"]
    assert plan.ok, plan.problems
    return client.post(IMPORT_URL, {"token": plan.token})


def requirement(org, ref, reference="acme-sup-2026"):
    return Requirement.objects.get(urn=f"urn:chainward:req:org{org.pk}-{reference}:{ref}")


def written():
    return Library.objects.count(), Framework.objects.count(), Requirement.objects.count()


def login(client, world, key):
    user = world["foreign"] if key == "foreign" else world["users"][key]
    client.force_login(user)
    return client


def assessment_form(*args, **kwargs):
    """The gap-assessment form as the register builds it."""
    return get_register(GapAssessment).get_form_class()(*args, **kwargs)


def assert_acme_tree(org):
    framework = Framework.objects.get(urn=f"urn:chainward:framework:org{org.pk}-acme-sup-2026")
    assert framework.library.organisation == org
    assert framework.name == FIELDS["name"] and framework.ref_id == "ACME-SUP-2026"
    heading, fence, visitors, personnel = (requirement(org, r) for r in ("1", "1.1", "1.2", "2"))
    assert heading.parent is None and heading.depth == 1 and not heading.assessable
    assert fence.parent == heading and visitors.parent == heading and fence.depth == 2
    assert personnel.parent is None
    assert fence.documented_information == "R" and visitors.documented_information == "M"
    assert personnel.documented_information == "I" and heading.documented_information == ""
    assert fence.assessable and visitors.assessable  # blank means yes
    assert fence.evidence_examples == ["Patrol log", "Fence photos"]
    assert fence.tags == ["perimeter", "night-shift"]
    assert fence.paraphrase == "Keep the yard fenced and lit."
    assert [r.ref_id for r in framework.requirements.order_by("order")] == ["1", "1.1", "1.2",
                                                                          "2"]
    return framework


def test_a_clean_csv_loads_for_the_organisation_and_shows_its_tree(admin_client, world):
    response = upload(admin_client, csv_bytes(ROWS))
    framework = assert_acme_tree(world["org_a"])
    assert response.status_code == 302
    assert response.url == reverse("library:framework_detail", args=[framework.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200
    assert b"Perimeter fence" in page.content and b"Patrol log" in page.content
    listing = admin_client.get("/library/frameworks/")
    assert FIELDS["name"].encode() in listing.content
    assert {f.pk: f.requirement_count for f in listing.context["frameworks"]}[framework.pk] == 4


def test_a_clean_xlsx_loads_the_same_tree(admin_client, world):
    upload(admin_client, xlsx_bytes(ROWS), filename="acme.xlsx")
    assert_acme_tree(world["org_a"])


def test_the_preview_writes_nothing(admin_client, world):
    response = preview(admin_client, csv_bytes(ROWS))
    assert response.status_code == 200 and response.context["plan"].total == 4
    assert b"Perimeter fence" in response.content
    assert written() == (0, 0, 0)


def test_a_custom_framework_is_invisible_to_another_organisation(client, world):
    login(client, world, "administrator__org")
    upload(client, csv_bytes(ROWS))
    framework = Framework.objects.get()
    login(client, world, "foreign")
    listing = client.get("/library/frameworks/")
    assert listing.status_code == 200
    assert FIELDS["name"].encode() not in listing.content
    assert framework not in listing.context["frameworks"]
    assert client.get(f"/library/frameworks/{framework.pk}/").status_code == 404
    offered_b = assessment_form(user=world["foreign"], organisation=world["org_b"]) \
        .fields["framework"].queryset
    offered_a = assessment_form(user=world["users"]["administrator__org"],
                                  organisation=world["org_a"]).fields["framework"].queryset
    assert framework not in offered_b and framework in offered_a


def test_a_malformed_csv_reports_every_row_and_column_and_writes_nothing(admin_client, world):
    header = [*HEADER, "colour"]
    rows = [
        ["1", "", "Physical security", "", "no", "", "", "", "red"],
        ["1", "", "Duplicate reference", "", "", "", "", "", ""],        # row 3
        ["", "", "No reference", "", "", "", "", "", ""],                # row 4
        ["1.1", "9", "Orphan", "", "", "", "", "", ""],                  # row 5
        ["1.2", "1", "Bad flag", "", "maybe", "", "", "", ""],           # row 6
        ["1.3", "1", "Bad documented information", "", "", "X", "", "", ""],  # row 7
        ["1.4", "1", "T" * 201, "", "", "", "", "", ""],                 # row 8
        ["1.5", "1", "Too wordy", "w" * 301, "", "", "", "", ""],        # row 9
        ["§§", "", "Unusable reference", "", "", "", "", "", ""],        # row 10
        ["1.6", "1", "", "", "", "", "", "", ""],                        # row 11
        ["1.7", "1", "Bad tag", "", "", "", "", "!!", ""],               # row 12
    ]
    response = preview(admin_client, csv_bytes(rows, header))
    assert response.status_code == 400
    found = {(row, column) for row, column, _ in response.context["plan"].problems}
    assert found >= {(1, "colour"), (3, "ref_id"), (4, "ref_id"), (5, "parent_ref"),
                     (6, "assessable"), (7, "documented_information"), (8, "title"),
                     (9, "description"), (10, "ref_id"), (11, "title"), (12, "tags")}
    assert b"Nothing was written" in response.content and b"parent_ref" in response.content
    assert not response.context["plan"].token
    assert written() == (0, 0, 0)
    with pytest.raises(custom.CustomFrameworkError):
        custom.import_framework_file(world["users"]["administrator__org"], world["org_a"],
                                     "bad.csv", csv_bytes(rows, header), **FIELDS)
    assert written() == (0, 0, 0)


def test_missing_form_fields_are_reported_by_name(admin_client, world):
    response = preview(admin_client, csv_bytes(ROWS), name="", reference="", version="")
    assert response.status_code == 400
    found = {column for row, column, _ in response.context["plan"].problems if row is None}
    assert found == {"name", "reference", "version"}
    assert written() == (0, 0, 0)


def test_a_yaml_custom_file_in_our_format_loads_in_the_organisation_namespace(admin_client,
                                                                              world):
    upload(admin_client, YAML.encode(), filename="tapa-member.yaml", name="", reference="",
           version="")
    org = world["org_a"]
    library = Library.objects.get()
    assert library.organisation == org and library.urn == f"urn:chainward:library:org{org.pk}-tapa"
    child = Requirement.objects.get(urn=f"urn:chainward:req:org{org.pk}-tapa-fsr:1.1")
    assert child.parent.urn == f"urn:chainward:req:org{org.pk}-tapa-fsr:1"
    assert child.documented_information == "R" and child.paraphrase.startswith("Cameras")


def test_a_yaml_error_names_its_line_and_field(admin_client, world):
    broken = "".join(line for line in YAML.splitlines(keepends=True)
                     if "CCTV" not in line)
    response = preview(admin_client, broken.encode(), filename="tapa.yaml")
    assert response.status_code == 400
    problems = response.context["plan"].problems
    assert (21, "title") in {(row, column) for row, column, _ in problems}
    assert written() == (0, 0, 0)


def test_reuploading_the_same_version_changes_nothing(admin_client, world):
    upload(admin_client, csv_bytes(ROWS))
    before = (written(), LedgerEntry.objects.count())
    # The same content as XLSX: recognised by content, so still unchanged.
    response = preview(admin_client, xlsx_bytes(ROWS), filename="acme.xlsx")
    assert response.context["plan"].outcome == "unchanged"
    result = custom.import_framework_file(world["users"]["administrator__org"], world["org_a"],
                                          "acme.csv", csv_bytes(ROWS), **FIELDS)
    assert result.outcome == "unchanged"
    assert (written(), LedgerEntry.objects.count()) == before


def test_changed_content_without_a_new_version_is_refused(admin_client, world):
    upload(admin_client, csv_bytes(ROWS))
    changed = [*ROWS[:3], ["2", "", "People", "Screen staff.", "yes", "", "", ""]]
    response = preview(admin_client, csv_bytes(changed))
    assert response.status_code == 400
    assert [(None, "version")] == [(r, c) for r, c, _ in response.context["plan"].problems]
    assert requirement(world["org_a"], "2").title == "Personnel"


def test_a_new_version_retires_removed_rows_and_keeps_ids(admin_client, world):
    upload(admin_client, csv_bytes(ROWS))
    org = world["org_a"]
    ids = {ref: requirement(org, ref).pk for ref in ("1", "1.1", "1.2", "2")}
    newer = [ROWS[0], ROWS[1], ROWS[3],
             ["3", "", "Information security", "Protect shipment data.", "", "", "", ""]]
    response = preview(admin_client, csv_bytes(newer), version=2)
    plan = response.context["plan"]
    assert (plan.outcome, plan.added, plan.retired) == ("upgrade", 1, 1)
    admin_client.post(IMPORT_URL, {"token": plan.token})
    assert Library.objects.get().version == 2
    removed = requirement(org, "1.2")
    assert removed.retired and removed.pk == ids["1.2"]
    for ref in ("1", "1.1", "2"):
        kept = requirement(org, ref)
        assert kept.pk == ids[ref] and not kept.retired
    assert not requirement(org, "3").retired
    page = admin_client.get(f"/library/frameworks/{removed.framework_id}/")
    assert b"Visitor control" not in page.content and b"Information security" in page.content


def test_loading_records_the_file_checksum_and_organisation(admin_client, world):
    data = csv_bytes(ROWS)
    upload(admin_client, data)
    event = LedgerEntry.objects.get(action="import")
    assert event.organisation_id == world["org_a"].pk
    assert event.after["sha256"] == custom.hashlib.sha256(data).hexdigest()
    assert event.actor_id == world["users"]["administrator__org"].pk
    load = LedgerEntry.objects.get(action="catalog_load")
    assert load.organisation_id == world["org_a"].pk


@pytest.mark.parametrize("key", ["viewer__org", "site_security_officer__org",
                                 "security_manager__site"])
def test_people_without_the_permission_get_403(client, world, key):
    login(client, world, key)
    assert client.get(IMPORT_URL).status_code == 403
    assert preview(client, csv_bytes(ROWS)).status_code == 403
    assert written() == (0, 0, 0)
    assert client.get("/library/frameworks/").status_code == 200


def test_a_manager_may_import(client, world):
    login(client, world, "security_manager__org")
    assert client.get(IMPORT_URL).status_code == 200
    assert upload(client, csv_bytes(ROWS)).status_code == 302


def test_another_users_preview_cannot_be_confirmed(client, world):
    login(client, world, "administrator__org")
    token = preview(client, csv_bytes(ROWS)).context["plan"].token
    login(client, world, "security_manager__org")
    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert written() == (0, 0, 0)


def test_the_list_makes_the_same_queries_for_any_number_of_frameworks(admin_client, world):
    user, org = world["users"]["administrator__org"], world["org_a"]
    custom.import_framework_file(user, org, "a.csv", csv_bytes(ROWS), **FIELDS)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/library/frameworks/").status_code == 200
        return len(captured)

    one = queries()
    for reference in ("OTHER-1", "OTHER-2"):
        custom.import_framework_file(user, org, "b.csv", csv_bytes(ROWS), name=reference,
                                     reference=reference, version=1)
    assert queries() == one


def test_an_assessment_can_use_the_custom_framework(world):
    user, org = world["users"]["administrator__org"], world["org_a"]
    custom.import_framework_file(user, org, "a.csv", csv_bytes(ROWS), **FIELDS)
    framework = Framework.objects.get()
    form = assessment_form({"title": "ACME check", "framework": framework.pk,
                              "all_sites": "on", "status": "draft"},
                             instance=GapAssessment(), user=user, organisation=org)
    assert form.is_valid(), form.errors


YAML = textwrap.dedent("""\
    urn: urn:chainward:library:tapa
    name: TAPA FSR member checklist
    version: 1
    publisher: A TAPA member
    licence: Licensed to the member; our own use only.
    source: Member's own checklist
    description: Our licensed checklist.
    objects:
      frameworks:
      - urn: urn:chainward:framework:tapa-fsr
        ref_id: TAPA FSR
        name: TAPA FSR checklist
        description: The member's FSR checklist.
        requirements:
        - urn: urn:chainward:req:tapa-fsr:1
          ref_id: '1'
          parent_urn: null
          depth: 1
          title: Perimeter
          assessable: false
        - urn: urn:chainward:req:tapa-fsr:1.1
          ref_id: '1.1'
          parent_urn: urn:chainward:req:tapa-fsr:1
          depth: 2
          title: CCTV coverage
          paraphrase: Cameras cover every dock door.
          assessable: true
          documented_information: R
    """)


def test_a_document_outside_the_organisation_namespace_is_refused(world):
    user, org = world["users"]["administrator__org"], world["org_a"]
    plan = custom.check_upload(org, "a.csv", csv_bytes(ROWS), **FIELDS)
    plan.document["objects"]["frameworks"][0]["urn"] = "urn:chainward:framework:iso28000-2022"
    with pytest.raises(custom.CustomFrameworkError):
        custom.import_framework(user, org, plan.document, filename="a.csv", sha256=plan.sha256)
    assert written() == (0, 0, 0)
