"""Walks through the UI in a real browser: on the demo, log in, map, add and edit a site, filter
the list; on a new installation, a new organisation from zero to a completed security assessment,
an approved plan and a readiness figure (issue 13's acceptance walk, with its page loads).

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

from tests.browser.signin import log_in, set_up

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

            # Log in with the credentials `chainward demo` printed: e-mail, password, then a
            # code of the two-step key it printed.
            log_in(page, chainward_server)
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


# --- a new organisation from zero (issue 13, acceptance) -------------------------------------
PASSWORD = "Fresh-freight-walk-2026!"
ADMIN, MANAGER = "ada.admin@fresh-freight.example", "sam.manager@fresh-freight.example"
# Page loads of the whole walk: every document any of the three people's browsers loaded (a
# form's POST and the page it redirects to count once). 37 when this was written, 3 of them the
# matrix editor's level buttons. Raise it only with a reason: a higher count means more pages
# to open for the same result.
PAGE_LOAD_BOUND = 40


def invitation_link(log_path, email):
    """The link of the latest invitation e-mail to `email` (printed by the console backend)."""
    with open(log_path) as log:
        text = log.read()
    start = text.rfind(f"To: {email}")
    assert start >= 0, f"no e-mail to {email} in the server's output"
    link = re.search(r"(http://\S+/account/invitations/[^/\s]+/)", text[start:])
    assert link, f"no invitation link in the e-mail to {email}"
    return link.group(1)


def pick(page, field_id, text, typed):
    """Choose `text` in the Tom Select picker of `field_id`: open it, type `typed`, wait for the
    type-ahead to offer it, Enter."""
    box = page.locator(f"#{field_id}-ts-control")
    first = page.locator(f"#{field_id}-ts-dropdown .option").first
    # The first page of options (loaded on opening) arrives before typing: the picker shows
    # what the server sent, so an answer arriving after the typed query's would stand in for
    # it. A click while the page is still shifting (the previous picker closing) may miss the
    # box: then once more.
    for attempt in range(3):
        box.click()
        try:
            expect(first).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    box.press_sequentially(typed, delay=20)
    expect(page.locator(f"#{field_id}-ts-dropdown .option.active")).to_contain_text(
        text, timeout=15_000)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{field_id} option:checked")).to_contain_text(text)


def saved(page, message):
    """The page after a save shows `message` in its success alert."""
    expect(page.locator(".alert-success").first).to_contain_text(message)


@pytest.mark.browser
def test_a_new_organisation_reaches_a_completed_assessment_without_the_demo(empty_server):
    """An installation with only its superuser: the superuser creates the organisation in the
    UI and invites its administrator, who invites the security manager; the security manager
    reaches a completed security assessment, a security plan approved by the administrator (the
    author may not approve their own) and a readiness figure — pickers, checkboxes and buttons
    only, no JSON, no demo data."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = empty_server.url
    console, page_errors, bad_responses, loads = [], [], [], []

    def watch(page, who):
        page.set_default_timeout(15_000)
        page.on("console", lambda m: console.append(f"[{m.type}] {who} on {page.url}: {m.text}"))
        page.on("pageerror", lambda e: page_errors.append(f"{who} on {page.url}: {e}"))
        page.on("load", lambda p: loads.append(f"{who} {p.url}"))

        def check_response(response):
            kind = response.request.resource_type
            if response.status >= 500 or (response.status >= 400 and kind != "document"
                                          and not response.url.endswith("/favicon.ico")):
                bad_responses.append(f"{response.status} {response.request.method} "
                                     f"{response.url} ({kind}, {who} on {page.url})")
        page.on("response", check_response)
        return page

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            def person(who):
                context = browser.new_context(viewport={"width": 1500, "height": 900})
                return watch(context.new_page(), who)

            def accept(who, email):
                page = person(who)
                page.goto(invitation_link(empty_server.log_path, email))
                page.fill("#id_new_password1", PASSWORD)
                page.fill("#id_new_password2", PASSWORD)
                page.get_by_role("button", name="Accept the invitation").click()
                # Administrators and security managers set up two-step sign-in first.
                expect(page).to_have_url(re.compile(r"/account/two-step/$"))
                set_up(page, email)
                expect(page.locator("#step-standard")).to_be_visible()  # the path, at home
                return page

            # The installation's superuser creates the organisation and invites its
            # administrator (issue 13 item 1).
            root = person("superuser")
            root.goto(f"{base}/login/")
            root.fill("#id_username", empty_server.email)
            root.fill("#id_password", empty_server.password)
            root.get_by_role("button", name="Log in").click()
            root.locator(f'nav button[title="{empty_server.email}"]').click()
            root.get_by_role("link", name="Add an organisation").click()
            root.fill("#id_name", "Fresh Freight GmbH")
            root.select_option("#id_country", "DE")
            root.fill("#id_administrator_email", ADMIN)
            root.fill("#id_administrator_name", "Ada Admin")
            root.get_by_role("button", name="Create").click()
            saved(root, "Created Fresh Freight GmbH with the default risk matrix")

            # The administrator accepts and invites the security manager, from the path's
            # "Resources" step.
            admin = accept("administrator", ADMIN)
            admin.get_by_role("link", name="Appoint people (role assignments)").click()
            admin.fill("#id_email", MANAGER)
            admin.fill("#id_full_name", "Sam Manager")
            pick(admin, "id_role", "Security manager", typed="Security man")
            admin.check("#id_all_sites")
            admin.get_by_role("button", name="Save").click()
            saved(admin, f"Invitation sent to {MANAGER}")

            # The security manager: a site, then the assessment the path offers.
            page = accept("security manager", MANAGER)
            expect(page.locator("#step-risk_assessment")).to_contain_text(
                "No completed security assessment.")
            page.get_by_role("button", name="Supply chain").click()
            page.get_by_role("link", name="Sites", exact=True).click()
            page.get_by_role("link", name="Add site").click()
            page.fill("#id_name", "Hamburg depot")
            page.select_option("#id_kind", "warehouse")
            page.select_option("#id_country", "DE")
            page.get_by_role("button", name="Save").click()
            saved(page, "Saved site Hamburg depot")
            page.get_by_role("link", name="Chainward", exact=True).click()
            page.get_by_role("link", name="Start a security assessment").click()
            page.fill("#id_title", "First security assessment")
            pick(page, "id_sites", "Hamburg depot", typed="Hamb")
            pick(page, "id_matrix", "Default 5x5", typed="Default")  # created with the org
            pick(page, "id_assessor", "Sam Manager", typed="Sam")
            page.get_by_role("button", name="Save").click()
            saved(page, "Saved security assessment First security assessment")
            assessment_url = page.url

            # The matrix editor adds and removes a scale level without JSON (item 3); leaving
            # without saving keeps the default matrix.
            page.get_by_role("link", name="Default 5x5 security risk matrix").click()
            page.get_by_role("link", name="Edit", exact=True).click()
            editor = page.locator(".matrix-editor")
            page.get_by_role("button", name="Add a likelihood level").click()
            expect(editor.locator("[role=status]")).to_contain_text("Likelihood level 6 added")
            expect(page.locator("#id_definition-lik-5-name")).to_be_focused()
            expect(editor.locator("select[id^=id_definition-cell-]")).to_have_count(30)
            page.get_by_role("button", name="Remove likelihood level 6").click()
            expect(editor.locator("[role=status]")).to_contain_text("Likelihood level 6 removed")
            expect(editor.locator("select[id^=id_definition-cell-]")).to_have_count(25)
            page.goto(assessment_url)

            # One own scenario covering every ISO 28001 threat category, rated at the site.
            page.locator("a[href^='/risk/applicability/add/']").click()
            page.fill("#id_custom_scenario", "Intrusion into the depot and tampering with cargo")
            categories = page.locator("input[name=custom_categories]")
            for i in range(categories.count()):
                categories.nth(i).check()
            page.check("#id_applicable")
            page.get_by_role("button", name="Save").click()
            saved(page, "Saved threat applicability")
            page.goto(assessment_url)
            page.locator("a[href^='/risk/register/add/']").click()
            pick(page, "id_threat", "Intrusion into the depot", typed="Intru")
            pick(page, "id_site", "Hamburg depot", typed="Hamb")
            page.fill("#id_likelihood", "2")
            page.select_option("#id_consequence_life", "2")
            page.select_option("#id_decision", "acceptable")
            pick(page, "id_owner", "Sam Manager", typed="Sam")
            page.get_by_role("button", name="Save").click()
            saved(page, "Saved risk rating")
            page.goto(assessment_url)
            page.get_by_role("button", name="Complete assessment").click()
            expect(page.locator("main")).to_contain_text("is completed; its matrix is frozen")

            # The plan from the assessment; the administrator approves it.
            page.get_by_role("button", name="Write the security plan").click()
            plan_url = page.url
            page.get_by_role("button", name="Submit for review").click()
            saved(page, "Submitted for review")
            admin.goto(plan_url)
            admin.get_by_role("button", name="Approve").click()
            saved(admin, "Approved Security plan")

            # A readiness figure: the gap assessment the path offers, one requirement saved.
            page.get_by_role("link", name="Chainward", exact=True).click()
            expect(page.locator("#step-planning")).to_contain_text("1 approved security plan.")
            expect(page.locator("#step-risk_assessment")).to_contain_text(
                "First security assessment, completed")
            page.locator("#step-standard").get_by_role(
                "link", name="Start a gap assessment against ISO 28000:2022").click()
            page.fill("#id_title", "ISO 28000 gap analysis")
            page.check("#id_all_sites")
            page.get_by_role("button", name="Save").click()
            saved(page, "Saved gap assessment ISO 28000 gap analysis")
            page.get_by_role("link", name="Work through the requirements").click()
            expect(page.locator("#readiness [data-readiness]")).to_have_text("0.0%")
            first = page.locator("[id^=row-]").first
            first.locator("select[name$=status]").select_option("fully")
            first.get_by_role("button", name="Save").click()
            # ISO 28000:2022 has 42 assessable requirements: 1 / 42 = 2.4 %.
            expect(page.locator("[data-saved]")).to_contain_text("Readiness now 2.4%.")
            expect(page.locator("#readiness [data-readiness]")).to_have_text("2.4%")
            page.get_by_role("link", name="Chainward", exact=True).click()
            expect(page.locator("#step-standard")).to_contain_text("2.4% ready")
        finally:
            browser.close()

    by_person = {who: sum(1 for load in loads if load.startswith(who + " "))
                 for who in ("superuser", "administrator", "security manager")}
    # Issue 18: the administrator and the security manager each set up two-step sign-in on
    # their first visit (the set-up page, then their recovery codes); those loads are counted
    # apart from the path's bound.
    two_step = [load for load in loads if load.endswith("/account/two-step/")]
    print(f"\nNew organisation to a completed assessment: {len(loads)} page loads, "
          f"{len(two_step)} of them setting up two-step sign-in (bound {PAGE_LOAD_BOUND} "
          "without them): " + ", ".join(f"{who} {n}" for who, n in by_person.items()))
    problems = {
        "Content-Security-Policy violations and refused resources":
            [m for m in console if any(marker in m for marker in CSP_MARKERS)],
        "uncaught script errors": page_errors,
        "server errors and missing sub-resources": bad_responses,
    }
    report = "\n".join(f"{title}:\n  " + "\n  ".join(dict.fromkeys(items))
                       for title, items in problems.items() if items)
    assert not report, report
    assert len(two_step) == 4, "\n".join(two_step)
    assert len(loads) - len(two_step) <= PAGE_LOAD_BOUND, "\n".join(loads)
