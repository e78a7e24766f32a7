"""In a real browser: related records are picked by type-ahead (issue 11 item 1, issue 13
item 5) — by keyboard, several without Ctrl+click, on a phone-sized screen, under our CSP."""

import re
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS


def pick(page, field_id, text, typed=None):
    """Choose the record labelled `text` in the picker of `field_id` (types `typed` first)."""
    box = page.locator(f"#{field_id}-ts-control")
    box.click()
    box.press_sequentially(typed or text, delay=20)
    option = page.locator(f"#{field_id}-ts-dropdown .option", has_text=text).first
    expect(option).to_be_visible()
    option.click()


def selected(page, field_id):
    return page.eval_on_selector(f"#{field_id}",
                                 "s => [...s.selectedOptions].map(o => o.textContent.trim())")


@pytest.mark.browser
def test_pickers_work_by_keyboard_and_on_a_phone(chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
            page.set_default_timeout(15_000)
            page.on("console", lambda m: problems.append(m.text) if any(
                marker in m.text for marker in CSP_MARKERS) else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/login/")
            page.fill("#id_username", chainward_server.email)
            page.fill("#id_password", chainward_server.password)
            page.get_by_role("button", name="Log in").click()
            expect(page).not_to_have_url(re.compile(r"/login/"))

            # Several sites of a countermeasure, by keyboard only: type, Enter, type, Enter.
            page.goto(f"{base}/risk/countermeasures/add/")
            box = page.locator("#id_sites-ts-control")
            box.focus()
            for typed in ("Hamburg", "Pozna"):
                box.press_sequentially(typed, delay=20)
                expect(page.locator("#id_sites-ts-dropdown .option.active")).to_contain_text(
                    typed)
                page.keyboard.press("Enter")
            chosen = selected(page, "id_sites")
            assert len(chosen) == 2 and chosen[0].startswith("Hamburg") and \
                chosen[1].startswith("Pozna"), chosen
            # The page itself lists no site beyond the chosen ones.
            assert page.locator("#id_sites option").count() == 2

            # A register filter: choosing a site refreshes the list through htmx.
            page.goto(f"{base}/risk/register/")
            pick(page, "id_site", "Hamburg", typed="hamb")
            expect(page).to_have_url(re.compile(r"[?&]site=\d+"))
            assert selected(page, "id_site")[0].startswith("Hamburg")
            page.reload()
            # After a reload the chosen site is rendered by the server, by its label.
            wrapper = page.locator(".ts-wrapper", has=page.locator("#id_site-ts-control"))
            expect(wrapper.locator(".item")).to_contain_text("Hamburg")
        finally:
            browser.close()
    assert not problems, problems
