"""In a real browser: evidence given for ISO 28000 4.1 is reused on ISO 9001 4.1 in one click.

Both clauses carry the Harmonized-Structure id HS-4.1, so the ISO 9001 workspace offers the
ISO 28000 evidence as a candidate; clicking it attaches it through htmx without a reload.
"""

import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.signin import log_in
from tests.browser.test_pickers import pick
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS

EVIDENCE = "Context and interested-parties analysis 2026 (browser test)"


def new_assessment(page, base, title, framework):
    page.goto(f"{base}/compliance/assessments/add/")
    page.fill("#id_title", title)
    pick(page, "id_framework", framework)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/compliance/assessments/\d+/$"))
    page.get_by_role("link", name="Work through the requirements").click()
    expect(page).to_have_url(re.compile(r"/work/$"))


@pytest.mark.browser
def test_iso28000_evidence_is_reused_on_iso9001(chainward_server):
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

            # ISO 28000: give clause 4.1 its evidence.
            new_assessment(page, base, "Browser ISO 28000 gap", "ISO 28000:2022")
            row = page.locator(".list-group-item", has=page.locator("strong", has_text=re.compile(
                r"^4\.1$"))).first
            row.locator("summary", has_text="Add a link").click()
            row.get_by_placeholder("Title").fill(EVIDENCE)
            row.get_by_placeholder("https://…").fill("https://dms.example/context-2026")
            row.get_by_role("button", name="Attach").click()
            expect(page.get_by_role("link", name=EVIDENCE)).to_be_visible()

            # ISO 9001: the same evidence is offered on 4.1 and reused in one action.
            new_assessment(page, base, "Browser ISO 9001 gap", "ISO 9001:2015")
            row = page.locator(".list-group-item", has=page.locator("strong", has_text=re.compile(
                r"^4\.1$"))).first
            reuse = row.get_by_role("button", name=f"Reuse “{EVIDENCE}”")
            expect(reuse).to_be_visible()
            url_before = page.url
            reuse.click()
            row = page.locator(".list-group-item", has=page.locator("strong", has_text=re.compile(
                r"^4\.1$"))).first
            expect(row.get_by_role("link", name=EVIDENCE)).to_be_visible()
            expect(row.get_by_role("button", name=f"Reuse “{EVIDENCE}”")).to_have_count(0)
            assert page.url == url_before  # swapped in place by htmx, no reload
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
