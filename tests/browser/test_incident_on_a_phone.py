"""Acceptance of issue 14 in a real browser, on a phone-sized screen: a site's incident is
recorded with a photo of the damage, the police are notified from the incident page, the
investigation is written, opens its corrective action and the incident is closed — under our
CSP, without a script error, against the demo."""

import datetime
import re
import shutil
import struct
import zlib

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.signin import log_in
from tests.browser.test_pickers import pick
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS

PHONE = {"width": 390, "height": 844}
TITLE = "Curtain slashed at the A2 rest stop (browser test)"


def png(width=8, height=8):
    """A small valid PNG (a grey square): a photo as far as the upload check is concerned."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def fill_datetime(page, selector, when):
    """Fill a date-time field whatever its widget (datetime-local or text)."""
    kind = page.get_attribute(selector, "type")
    page.fill(selector, when.strftime("%Y-%m-%dT%H:%M" if kind == "datetime-local"
                                      else "%Y-%m-%d %H:%M"))


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_an_incident_is_recorded_notified_and_closed_on_a_phone(chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, has_touch=True)
            page.set_default_timeout(15_000)
            page.on("console", lambda m: problems.append(m.text) if any(
                marker in m.text for marker in CSP_MARKERS) else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 500 else None)
            log_in(page, chainward_server)
            expect(page).not_to_have_url(re.compile(r"/login/"))

            # 1. Record the incident (pilferage at Hamburg: the demo's deadlines add the
            # police within 24 h and the insurer within 48 h).
            page.goto(f"{base}/incidents/incidents/add/")
            page.fill("#id_title", TITLE)
            page.select_option("#id_incident_type", "pilferage")
            page.select_option("#id_modus_operandi", "curtain_slashing")
            last_night = datetime.datetime.now() - datetime.timedelta(hours=10)
            fill_datetime(page, "#id_occurred_at", last_night)
            pick(page, "id_site", "Hamburg", typed="Hamb")
            page.select_option("#id_severity", index=2)
            page.fill("#id_loss_value", "18400")
            page.fill("#id_seal_numbers", "DE-4471002")
            assert no_horizontal_scroll(page)
            page.locator("form button[type=submit]", has_text=re.compile("Save|Create"))\
                .first.click()
            expect(page.locator("#incident-status")).to_have_text("Reported")
            incident_url = page.url
            expect(page.locator("#notifications")).to_contain_text("Police")

            # 2. A photo of the slashed curtain: uploaded as evidence, attached to the incident.
            page.goto(f"{base}/documents/evidence/add/")
            page.fill("#id_title", "Photo of the slashed curtain, trailer HH-CW 402")
            page.select_option("#id_kind", "file")
            page.set_input_files("#id_upload", files=[{"name": "curtain.png",
                                                       "mimeType": "image/png",
                                                       "buffer": png()}])
            page.locator("form button[type=submit]", has_text=re.compile("Save|Create"))\
                .first.click()
            expect(page).to_have_url(re.compile(r"/documents/evidence/\d+/$"))
            reference = re.search(r"EVD-\d+", page.content()).group(0)
            page.goto(incident_url)
            page.fill("#attach-evidence", reference)
            page.locator("#evidence button[type=submit]").click()
            expect(page.locator("#evidence")).to_contain_text("Photo of the slashed curtain")

            # 3. Notify the police from the incident page, with their report number.
            police = page.locator("#notifications tr", has_text="Police")
            police.locator("input[name=reference_number]").fill("PK42-2026-118")
            police.get_by_role("button", name="Notified now").click()
            police = page.locator("#notifications tr", has_text="Police")
            expect(police).to_contain_text("PK42-2026-118")
            # when and by whom (the demo administrator, shown by name)
            expect(police).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d by \w"))
            expect(police.get_by_role("button", name="Notified now")).to_have_count(0)

            # 4. Triage, investigate, write the summary, open the corrective action, close.
            page.get_by_role("button", name="Triaged").click()
            expect(page.locator("#incident-status")).to_have_text("Triaged")
            page.get_by_role("button", name="Under investigation").click()
            expect(page.locator("#incident-status")).to_have_text("Under investigation")
            page.get_by_role("link", name="write it").click()
            page.fill("#id_summary", "The trailer was parked unattended overnight at an "
                                     "unsecured rest stop against the route plan.")
            page.locator("form button[type=submit]", has_text=re.compile("Save|Update"))\
                .first.click()
            expect(page).to_have_url(re.compile(r"/incidents/investigations/\d+/$"))
            page.get_by_role("button", name="Open a corrective action").click()
            expect(page).to_have_url(re.compile(r"/audits/corrective-actions/\d+/$"))
            capa = re.search(r"CA-\d+", page.content()).group(0)
            page.goto(incident_url)
            page.get_by_role("button", name="Closed").click()
            expect(page.locator("#incident-status")).to_have_text("Closed")
            expect(page.locator("body")).to_contain_text(capa)
            expect(page.locator("#evidence")).to_contain_text(reference)
            assert no_horizontal_scroll(page)
        finally:
            browser.close()
    assert not problems, problems
