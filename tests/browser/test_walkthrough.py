"""One walk through the UI in a real browser: log in, map, add and edit a site, filter the list.

Drives Debian's chromium (never a Playwright-downloaded browser) against a real server started
by the `chainward_server` fixture, and fails on any Content-Security-Policy violation, uncaught
script error or server error seen on the way.
"""

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SITE_NAME = "Playwright Test Depot"
NEW_CITY = "Bremerhaven"
DETAIL_URL = re.compile(r"/supplychain/sites/(\d+)/$")
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


@pytest.mark.browser
def test_walkthrough(chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium` "
                    "(the browser test never uses `playwright install`).")
    base, email = chainward_server.url, chainward_server.email
    console, page_errors, bad_responses = [], [], []

    def check_response(response):
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind != "document"
                                      and not response.url.endswith("/favicon.ico")):
            bad_responses.append(f"{response.status} {response.request.method} {response.url} "
                                 f"({kind}, loaded by {page.url})")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on("console", lambda m: console.append(
                f"[{m.type}] on {page.url} (from {m.location.get('url', '?')}): {m.text}"))
            page.on("pageerror", lambda e: page_errors.append(f"on {page.url}: {e}"))
            page.on("response", check_response)
            page.on("requestfailed", lambda r: bad_responses.append(
                f"failed ({r.failure}) {r.method} {r.url} ({r.resource_type}, "
                f"loaded by {page.url})"))

            # Log in with the credentials `chainward demo` printed.
            page.goto(f"{base}/login/")
            page.fill("#id_username", email)
            page.fill("#id_password", chainward_server.password)
            page.get_by_role("button", name="Log in").click()
            expect(page).not_to_have_url(re.compile(r"/login/"))
            expect(page.locator(f'nav button[title="{email}"]')).to_be_attached()

            # The map draws every demo site as a node linking to its record.
            page.goto(f"{base}/supplychain/map/")
            nodes = page.locator("svg.map-svg g.nodes circle")
            expect(nodes.first).to_be_visible()
            assert nodes.count() >= 10, f"only {nodes.count()} site nodes on the map"
            links = page.locator("svg.map-svg g.nodes a")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            assert hrefs and all(re.fullmatch(r"/supplychain/sites/\d+/", h) for h in hrefs), hrefs
            page.locator("svg.map-svg").screenshot(
                path=str(Path(tempfile.gettempdir()) / "map.png"))

            # Add a site through the form.
            page.goto(f"{base}/supplychain/sites/")
            page.get_by_role("link", name="Add site").click()
            expect(page).to_have_url(re.compile(r"/supplychain/sites/add/$"))
            page.fill("#id_name", SITE_NAME)
            page.select_option("#id_kind", "warehouse")
            page.select_option("#id_country", "DE")
            page.get_by_role("button", name="Save").click()
            expect(page).to_have_url(DETAIL_URL)
            detail_url = page.url
            history = page.locator("#history")
            expect(page.get_by_role("heading", level=1)).to_have_text(SITE_NAME)
            expect(history).to_contain_text(re.compile(rf"Create\s+by\s+{re.escape(email)}"))

            # Edit it: the History panel shows the city going from empty to the new value.
            page.get_by_role("link", name="Edit", exact=True).click()
            expect(page).to_have_url(re.compile(r"/supplychain/sites/\d+/edit/$"))
            page.fill("#id_city", NEW_CITY)
            page.get_by_role("button", name="Save").click()
            expect(page).to_have_url(detail_url)
            expect(history).to_contain_text(re.compile(rf"Update\s+by\s+{re.escape(email)}"))
            city_change = history.locator("tr").filter(has_text="City")
            expect(city_change.locator("td")).to_have_text(["City", "—", "→", NEW_CITY])

            # The list filters by htmx as one types in its search box.
            page.goto(f"{base}/supplychain/sites/")
            results = page.locator("#results")
            expect(results.locator("tbody tr")).not_to_have_count(1)
            page.locator("form[aria-label=Filters] input[name=q]").press_sequentially(
                SITE_NAME, delay=20)
            expect(results).to_contain_text(re.compile(r"^\s*1 site\b"))
            expect(results.locator("tbody tr")).to_have_count(1)
            row = results.locator("tbody tr").first
            expect(row).to_contain_text(SITE_NAME)
            expect(row).to_contain_text(NEW_CITY)
            expect(page).to_have_url(re.compile(r"[?&]q=Playwright"))
            href = row.get_by_role("link", name=SITE_NAME).get_attribute("href")
            assert detail_url.endswith(href), (href, detail_url)
        finally:
            browser.close()

    problems = {
        "Content-Security-Policy violations and refused resources":
            [m for m in console if any(marker in m for marker in CSP_MARKERS)],
        "uncaught script errors": page_errors,
        "server errors and missing sub-resources": bad_responses,
    }
    report = "\n".join(f"{title}:\n  " + "\n  ".join(dict.fromkeys(items))
                       for title, items in problems.items() if items)
    assert not report, report
