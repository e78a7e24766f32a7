"""Acceptance of issue 15 item 5 in a real browser, on a phone-sized screen: the 17-point
tractor and trailer inspection page is loaded, the network goes (Playwright's offline mode), the
page still opens from the service worker's cache, the inspection is done with one failed
critical point, a photo and the inspector's signature and waits on the phone ("1 run waiting to
send"); when the network returns the run arrives exactly once, completed, with its photo, and
its failed critical point opened an incident — under our CSP, without a script error, against
the demo."""

import re
import shutil
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.signin import log_in
from tests.browser.test_incident_on_a_phone import PHONE, no_horizontal_scroll, png
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS

SYNC_TIMEOUT = 60_000  # a loaded 2-core CI machine: photo cleaning, 17 answers, the incident


def open_phone(browser, server, problems):
    """A phone-sized page, logged in to `server`, that records CSP and script problems."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda m: problems.append(m.text) if any(
        marker in m.text for marker in CSP_MARKERS) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    log_in(page, server)
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return context, page


def open_17_point(page, base):
    """The offline checks, then the 17-point page, both kept for use without a network."""
    page.goto(f"{base}/fieldchecks/offline/")
    expect(page.locator("body")).to_have_attribute("data-offline-ready", "yes")
    page.get_by_role("link", name=re.compile("17-point")).click()
    expect(page).to_have_url(re.compile(r"/fieldchecks/offline/\d+/$"))
    expect(page.locator("body")).to_have_attribute("data-offline-ready", "yes")


def draw_signature(page, canvas):
    """A stroke across the pad with the mouse (pointer events, as a finger)."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 20, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + 20 + step * (box["width"] - 40) / 10,
                        y + (12 if step % 2 else -12))
    page.mouse.up()


@pytest.mark.browser
def test_a_17_point_inspection_done_offline_arrives_once_with_its_photo(chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    container = f"OFFL {uuid.uuid4().hex[:7].upper()}"
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context, page = open_phone(browser, chainward_server, problems)

            # 1. The checks on this phone: the service worker is installed and the pages kept.
            open_17_point(page, base)
            assert page.evaluate("async () => !!(await caches.match(location.pathname))")
            page.wait_for_function("navigator.serviceWorker.controller !== null")

            # 2. No network: the page opens from the phone.
            context.set_offline(True)
            reloaded = page.reload()
            assert reloaded is not None and reloaded.from_service_worker
            expect(page.get_by_role("heading", name=re.compile("17-point"))).to_be_visible()
            expect(page.locator("#offline-queue")).to_have_text("No runs waiting to send.")

            # 3. The inspection: the first point fails (critical), the others pass; a photo
            # of the failed point and the inspector's signature.
            page.select_option("#run-site", index=1)
            page.fill("#run-vehicle", "EL 7K204")
            page.fill("#run-container", container)
            page.fill("#run-seals", "PL2400999")
            points = page.locator("fieldset[data-item]")
            assert points.count() == 17
            first = points.nth(0)
            first.locator("input[value=fail]").check()
            first.locator("input[name$='-note']").fill("Fresh welds under the bumper")
            first.locator("input[type=file]").set_input_files(files=[{
                "name": "bumper.png", "mimeType": "image/png", "buffer": png(64, 48)}])
            for index in range(1, 17):
                points.nth(index).locator("input[value=pass]").check()
            signature = page.locator("[data-signature][data-role=inspector]")
            signature.locator("input[name='sig-inspector-name']").fill("Anna Nowak")
            draw_signature(page, signature.locator("canvas"))
            expect(signature.locator("input[data-signature-data]")).to_have_value(
                re.compile(r"^data:image/png;base64,"))
            assert no_horizontal_scroll(page)
            page.get_by_role("button", name="Save the check").click()
            expect(page.locator("#offline-queue")).to_contain_text("1 run waiting to send")
            expect(page.locator("#offline-sent")).to_contain_text("Saved on this phone")
            expect(points.nth(0).locator("input[value=fail]")).not_to_be_checked()

            # 4. The network returns: the run is sent and leaves the phone.
            context.set_offline(False)
            expect(page.locator("#offline-queue")).to_have_text(
                "No runs waiting to send.", timeout=SYNC_TIMEOUT)
            sent = page.locator("#offline-sent a", has_text="Sent:")
            expect(sent).to_have_count(1)
            expect(sent).to_contain_text("an incident was opened")
            expect(page.locator("#offline-problems li")).to_have_count(0)

            # 5. On the server: exactly one run, completed, critical, with its photo and
            # signature, and the incident it opened.
            found = page.request.get(f"{base}/api/fieldchecks/runs/",
                                     params={"q": container})
            assert found.ok, found.text()
            body = found.json()
            runs = body["results"] if isinstance(body, dict) else body
            assert len(runs) == 1, runs
            run = runs[0]
            assert run["status"] == "completed" and run["result"] == "critical", run
            assert run["incident"], run
            assert run["inspector_signed_name"] == "Anna Nowak"
            incident = page.request.get(f"{base}/api/incidents/incidents/{run['incident']}/")
            assert incident.ok and "17-point" in incident.json()["title"]
            sent.click()
            expect(page).to_have_url(re.compile(rf"/fieldchecks/runs/{run['id']}/$"))
            photo = page.locator("a[href*='/photo/']", has_text="photo")
            expect(photo).to_have_count(1)
            image = page.request.get(base + photo.get_attribute("href"))
            assert image.ok and image.headers["content-type"] == "image/png"
            assert image.body().startswith(b"\x89PNG")

            # Logging out forgets the check pages the phone kept for the inspector (the
            # static files it keeps are the same for everyone and may stay).
            kept_pages = """async () => {
                const pages = [];
                for (const name of await caches.keys()) {
                    for (const request of await (await caches.open(name)).keys()) {
                        const path = new URL(request.url).pathname;
                        if (path.startsWith("/fieldchecks/offline/")) pages.push(path);
                    }
                }
                return pages;
            }"""
            assert page.evaluate(kept_pages), "the service worker kept no check pages"
            page.locator("form[action='/logout/'] button").evaluate("button => button.click()")
            expect(page).to_have_url(re.compile(r"/login/"))
            expect(page.locator("html[data-offline-pages-forgotten]")).to_have_count(1)
            assert page.evaluate(kept_pages) == []
        finally:
            browser.close()
    assert not problems, problems


@pytest.mark.browser
def test_a_run_the_server_refuses_stays_on_the_phone_with_the_reason(chainward_server):
    """The template changes between the page being kept and the run being sent: the server
    answers 409 with the reason, the run stays on the phone, shown with that reason, until
    the inspector discards it."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context, page = open_phone(browser, chainward_server, problems)
            open_17_point(page, base)
            points = page.locator("fieldset[data-item]")
            item = points.nth(16).get_attribute("data-item")
            # Someone adjusts a point of the template meanwhile (through the API).
            url = f"{base}/api/fieldchecks/items/{item}/"
            version = page.request.get(url).json()["version"]
            token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
            changed = page.request.patch(url, headers={"X-CSRFToken": token, "Referer": base},
                                         data={"guidance": "Look under the coupling too.",
                                               "version": version})
            assert changed.ok, changed.text()

            page.select_option("#run-site", index=1)
            page.fill("#run-container", "REFUSED 0001")
            for index in range(17):
                points.nth(index).locator("input[value=pass]").check()
            page.get_by_role("button", name="Save the check").click()
            refused = page.locator("#offline-problems li")
            expect(refused).to_have_count(1, timeout=60_000)
            expect(refused).to_contain_text("changed after this phone saved it")
            expect(page.locator("#offline-queue")).to_have_text("No runs waiting to send.")
            found = page.request.get(f"{base}/api/fieldchecks/runs/",
                                     params={"q": "REFUSED 0001"}).json()
            assert (found["count"] if isinstance(found, dict) else len(found)) == 0
            # Still there after a reload; gone only when discarded.
            page.reload()
            expect(refused).to_have_count(1)
            page.once("dialog", lambda dialog: dialog.accept())
            refused.get_by_role("button", name="Discard").click()
            expect(refused).to_have_count(0)
            assert page.evaluate("""async () => new Promise((resolve) => {
                const open = indexedDB.open("chainward-offline", 1);
                open.onsuccess = () => {
                    const count = open.result.transaction("runs").objectStore("runs").count();
                    count.onsuccess = () => resolve(count.result);
                };
            })""") == 0
            context.close()
        finally:
            browser.close()
    assert not problems, problems
