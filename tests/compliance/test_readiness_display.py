"""Readiness as the gap work page shows it (issue 13 item 6): "not implemented" is a real 0 %,
never "—", and saving a row refreshes the page's readiness figures and confirms. Expected
figures are worked out by hand for the tiny framework (4 assessable requirements, all counted)."""

import io
import re

from tests.compliance.test_gap_assessment import assessment, row, set_status, work_example

__all__ = ["assessment"]  # the fixture, shared with the gap assessment tests


def section_cell(page, ref):
    """The readiness cell of section `ref` in the page's readiness table."""
    match = re.search(rf"<td>{re.escape(ref)} Clause {re.escape(ref)}</td><td>\d+</td><td>(.*?)"
                      r"</td></tr>", page, re.S)
    assert match, f"no readiness row for section {ref}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_section_with_nothing_implemented_reads_zero_percent_not_a_dash(admin_client,
                                                                            assessment):
    # 5.1 not implemented: section 5 is 0 / 1 = 0.0 %; section 4 not assessed: 0 / 3 = 0.0 %.
    assert set_status(admin_client, row(assessment, "5.1"), "not_implemented").status_code == 200
    for url in (f"/compliance/assessments/{assessment.pk}/work/",
                f"/compliance/assessments/{assessment.pk}/missing/"):
        page = admin_client.get(url).content.decode()
        assert section_cell(page, "5") == "0.0%", url
        assert section_cell(page, "4") == "0.0%", url
        assert "—%" not in page
    detail = admin_client.get(assessment.get_absolute_url()).content.decode()
    assert '<span class="display-6">0.0%</span>' in detail


def test_saving_a_row_refreshes_the_readiness_figures_and_confirms(admin_client, assessment):
    # 4.1 fully implemented: overall 1 / 4 = 25.0 %, section 4: 1 / 3 = 33.3 %, section 5: 0.0 %.
    response = set_status(admin_client, row(assessment, "4.1"), "fully")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="row-{row(assessment, "4.1").pk}"' in body
    assert "Saved 4.1: fully implemented. Readiness now 25.0%." in body
    oob = re.search(r'<section[^>]*id="readiness"[^>]*hx-swap-oob="true"[^>]*>(.*?)</section>',
                    body, re.S)
    assert oob, "the answer carries no out-of-band readiness section"
    assert "Readiness: <span data-readiness>25.0%</span>" in oob.group(1)
    assert section_cell(oob.group(1), "4") == "33.3%"
    assert section_cell(oob.group(1), "5") == "0.0%"
    # A refused save changes nothing on the page: no confirmation, no readiness swap.
    refused = set_status(admin_client, row(assessment, "4.2.2"), "not_applicable")
    assert refused.status_code == 400
    assert "hx-swap-oob" not in refused.content.decode()
    assert "Saved" not in refused.content.decode()


def test_saving_without_htmx_confirms_with_the_readiness(admin_client, assessment):
    response = set_status(admin_client, row(assessment, "5.1"), "partially", htmx=False)
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "Saved 5.1: partially implemented. Readiness now 12.5%." in page


def test_the_readiness_pdf_shows_zero_percent_for_a_clause_not_implemented(admin_client,
                                                                           assessment):
    from pypdf import PdfReader

    work_example(admin_client, assessment)  # 5.1 not implemented: 0 / 1
    response = admin_client.get(f"/compliance/assessments/{assessment.pk}/report.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "5.1 Clause 5.1 1 0.0%" in text
