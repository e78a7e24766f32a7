"""In a real browser (the demo server): the work page's one evidence dialog — a Bootstrap modal
whose content htmx loads — uploads a file and picks existing evidence by type-ahead; each counts
on the row at once, without a reload, and without a CSP violation."""

import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.signin import log_in
from tests.browser.test_evidence_reuse import new_assessment
from tests.browser.test_pickers import pick
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS


@pytest.mark.browser
def test_the_dialog_uploads_and_picks_and_the_row_counts_at_once(chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on("console", lambda m: problems.append(m.text) if any(
                marker in m.text for marker in CSP_MARKERS) else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            log_in(page, chainward_server)
            expect(page).not_to_have_url(re.compile(r"/login/"))
            new_assessment(page, base, "Browser dialog gap", "ISO 28000:2022")
            url_before = page.url

            def row():
                return page.locator(".list-group-item", has=page.locator(
                    "strong", has_text=re.compile(r"^4\.1$"))).first

            row_id = row().get_attribute("id").removeprefix("row-")
            expect(row().locator("[data-evidence-count]")).to_have_text("0")

            # Upload a file.
            row().get_by_role("link", name="Add evidence…").click()
            dialog = page.locator("#evidence-dialog")
            expect(dialog.get_by_role("heading", name=re.compile(r"Evidence for 4\.1"))) \
                .to_be_visible()
            dialog.locator("input[type=file]").set_input_files(files=[{
                "name": "gate-patrol-log.csv", "mimeType": "text/csv",
                "buffer": b"date,guard,gate\n2026-01-05,Ines,3\n"}])
            dialog.get_by_role("button", name="Upload and count as evidence").click()
            expect(dialog.locator("[data-evidence-saved]")).to_contain_text(
                "gate-patrol-log.csv now counts as evidence of 4.1")
            expect(row().locator("[data-evidence-count]")).to_have_text("1")

            # Pick existing evidence of the demo by type-ahead, in the same dialog.
            pick(page, f"id_pick_{row_id}_evidence", "Supply-chain security policy",
                 typed="supply-chain policy")
            dialog.get_by_role("button", name="Count as evidence", exact=True).click()
            expect(dialog.locator("[data-evidence-saved]")).to_contain_text("(2 in all)")
            expect(row().locator("[data-evidence-count]")).to_have_text("2")
            dialog.get_by_role("button", name="Close").first.click()
            expect(dialog).to_be_hidden()
            assert page.url == url_before  # no reload
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
