"""Risk, plan, audit and certification flows in a real browser against the demo.

The walkthrough's `chainward_server` runs without a task worker and keeps its instance folder to
itself, so this module starts its own demo server the same way (same helpers) but *with* the
worker — evidence packs are produced by a background job — and gives the owner of the demo's
corrective action awaiting verification (Agnieszka Nowak) a password, so that the "someone other
than the owner verifies" rule is seen from both sides. Every page visited is checked for CSP
violations, uncaught script errors, server errors and missing sub-resources.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import (
    DROPPED_ENV,
    STARTUP_TIMEOUT,
    Server,
    _free_port,
    _healthy,
    _stop,
    demo_instance,
)
from tests.browser.signin import log_in
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS

OWNER_EMAIL = "a.nowak@abc-logistics.example"
OWNER_PASSWORD = "Browser-test-owner-2026!"
CAPA = "CA-0003"  # the demo's corrective action in "Actions done (awaiting verification)"
ASSESSMENT = "ABC Logistics supply-chain security assessment 2026"
PLAN_SECTIONS = ["1. Scope", "2. Threat scenarios and their ratings",
                 "3. Countermeasures, owners and dates", "4. Response structure",
                 "5. Warning and communication", "6. Recovery",
                 "7. Monitoring and review triggers",
                 "8. Protection of the security information"]
# How long the worker may take to start and finish the pack: a liveness limit, not a speed
# check. On a loaded 2-core machine the worker shares the CPUs with the rest of the suite (the
# sixteen-writer import test alone keeps both busy for minutes); CI once saw 90 s pass with the
# job still queued.
PACK_TIMEOUT = 360
SET_PASSWORD = """
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(email={email!r})
user.set_password({password!r})
user.save(update_fields=["password"])
"""


@pytest.fixture(scope="module")
def risk_server(chainward_server):
    """The demo (as `chainward demo` built it for the session's server) + `chainward serve`
    with its worker; yields (admin, owner) Servers."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-risk-") as home:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env.update(CHAINWARD_HOME=home, DJANGO_SETTINGS_MODULE="chainward.settings",
                   PORT=str(port), PYTHONUNBUFFERED="1")
        demo_instance(chainward_server, home)
        shell = subprocess.run(
            [sys.executable, "-m", "chainward.cli", "shell", "-c",
             SET_PASSWORD.format(email=OWNER_EMAIL, password=OWNER_PASSWORD)],
            cwd=home, env=env, capture_output=True, text=True, timeout=60)
        assert shell.returncode == 0, f"could not set the owner's password:\n{shell.stderr}"

        log_path = os.path.join(home, "serve.log")
        with open(log_path, "w+") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "chainward.cli", "serve", "--port", str(port)],
                cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + STARTUP_TIMEOUT
                while not _healthy(f"{base}/healthz"):
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"server did not answer /healthz with 200 within "
                                    f"{STARTUP_TIMEOUT}s (exit code {process.poll()}):\n"
                                    f"{log.read()[-4000:]}")
                    time.sleep(0.25)
                yield (Server(url=base, email=chainward_server.email,
                              password=chainward_server.password, log_path=log_path),
                       Server(url=base, email=OWNER_EMAIL, password=OWNER_PASSWORD))
            finally:
                _stop(process)


@contextmanager
def browsing():
    """Yield a `new_page(server)` that opens a logged-in page; fail on what the browser saw."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium` "
                    "(the browser test never uses `playwright install`).")
    console, page_errors, bad_responses, downloads = [], [], [], set()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def new_page(server):
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(15_000)

            def check_response(response):
                kind = response.request.resource_type
                if response.status >= 500 or (response.status >= 400 and kind != "document"
                                              and not response.url.endswith("/favicon.ico")):
                    bad_responses.append(f"{response.status} {response.request.method} "
                                         f"{response.url} ({kind}, loaded by {page.url})")

            page.on("console", lambda m: console.append(
                f"[{m.type}] on {page.url} (from {m.location.get('url', '?')}): {m.text}"))
            page.on("pageerror", lambda e: page_errors.append(f"on {page.url}: {e}"))
            page.on("response", check_response)
            page.on("requestfailed", lambda r: bad_responses.append(
                f"failed ({r.failure}) {r.method} {r.url} ({r.resource_type}, "
                f"loaded by {page.url})"))
            # Chromium aborts a navigation that turns into a download; that one is expected.
            page.on("download", lambda d: downloads.add(f"failed (net::ERR_ABORTED) GET {d.url} "))
            log_in(page, server)
            expect(page).not_to_have_url(re.compile(r"/login/"))
            expect(page.locator(f'nav button[title="{server.email}"]')).to_be_attached()
            return page

        try:
            yield new_page
        finally:
            browser.close()
    problems = {
        "Content-Security-Policy violations and refused resources":
            [m for m in console if any(marker in m for marker in CSP_MARKERS)],
        "uncaught script errors": page_errors,
        "server errors and missing sub-resources":
            [r for r in bad_responses if not any(r.startswith(d) for d in downloads)],
    }
    report = "\n".join(f"{title}:\n  " + "\n  ".join(dict.fromkeys(items))
                       for title, items in problems.items() if items)
    assert not report, report


def results_count(page):
    """The "N risk ratings" figure the register prints above its table."""
    text = page.locator("#results").inner_text()
    found = re.search(r"(\d+) risk ratings?\b", text)
    assert found, f"no count above the register's table:\n{text[:500]}"
    return int(found.group(1))


@pytest.mark.browser
def test_assessment_heat_map_cell_plan_and_map(risk_server):
    admin, _owner = risk_server
    base = admin.url
    with browsing() as new_page:
        page = new_page(admin)

        # The navigation fits the window at every width from a phone to a wide screen (issue 13
        # item 12): collapsed below 1,400 px, its groups wrapping from there on; the user menu
        # stays inside the window wherever it is shown.
        page.goto(f"{base}/")
        user_menu = page.locator(f'nav button[title="{admin.email}"]')
        overflowing = []
        for width in range(360, 1921, 40):
            page.set_viewport_size({"width": width, "height": 900})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width != width:
                overflowing.append((width, scroll_width))
            if width >= 1400:
                box = user_menu.bounding_box()
                if box is None or box["x"] + box["width"] > width:
                    overflowing.append((width, "user menu", box))
        assert overflowing == []
        expect(user_menu).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 900})

        # The completed assessment shows inherent and residual heat maps over all its ratings.
        page.goto(f"{base}/risk/assessments/")
        page.get_by_role("link", name=ASSESSMENT).click()
        expect(page).to_have_url(re.compile(r"/risk/assessments/\d+/$"))
        assessment_url = page.url
        assessment_pk = re.search(r"/(\d+)/$", assessment_url).group(1)
        expect(page.locator("#assessment-status")).to_have_text("Completed")
        inherent = page.locator("svg.heatmap[data-param=cell]")
        residual = page.locator("svg.heatmap[data-param=residual_cell]")
        expect(inherent).to_have_count(1)
        expect(residual).to_have_count(1)
        total = int(re.search(r"Residual \((\d+)\)", page.locator("main").inner_text()).group(1))
        assert total >= 30, f"the demo assessment has only {total} rated risks"
        for heat_map in (inherent, residual):
            counts = [int(c) for c in heat_map.locator("a").evaluate_all(
                "links => links.map(a => a.dataset.count)")]
            assert sum(counts) == total, (counts, total)

        # The register link of the assessment lists exactly that many ratings.
        page.get_by_role("link", name="Risk register", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/risk/register/\?assessment={assessment_pk}$"))
        assert results_count(page) == total

        # Heat-map page, filtered to the assessment: the busiest residual cell leads to the
        # register filtered to exactly its ratings, all at that cell's residual level.
        page.goto(assessment_url)
        page.get_by_role("link", name="Heat maps").click()
        expect(page).to_have_url(re.compile(rf"/risk/heatmap/\?assessment={assessment_pk}$"))
        expect(page.get_by_role("heading", name="Risk heat maps")).to_be_visible()
        cells = page.locator("svg.heatmap[data-param=residual_cell] a")
        data = cells.evaluate_all("links => links.map(a => [a.dataset.cell, +a.dataset.count,"
                                  " a.querySelector('title').textContent])")
        assert sum(n for _, n, _ in data) == total
        cell, count, title = max(data, key=lambda d: d[1])
        level = re.search(r", (\w[\w ]*): \d+ ratings?$", title).group(1)
        cells.and_(page.locator(f"[data-cell='{cell}']")).locator("rect").click()
        expect(page).to_have_url(re.compile(rf"/risk/register/\?.*residual_cell={cell}"))
        expect(page).to_have_url(re.compile(rf"[?&]assessment={assessment_pk}\b"))
        assert results_count(page) == count, (cell, count)
        rows = page.locator("#results tbody tr")
        # The register pages by 25: the first page shows up to 25; at 100 a page shows them all.
        expect(rows).to_have_count(min(count, 25))
        if count > 25:
            page.goto(page.url + "&per_page=100")
            expect(rows).to_have_count(count)
        residual_column = page.locator("#results thead th").all_inner_texts().index(
            "Residual level")
        levels = rows.evaluate_all(
            f"rows => rows.map(r => r.cells[{residual_column}].innerText.trim())")
        assert set(levels) == {level}, (cell, level, levels)
        # A rating of that cell opens on its own page.
        rows.first.locator("a").first.click()
        expect(page).to_have_url(re.compile(r"/risk/register/\d+/$"))
        expect(page.locator("main")).to_contain_text(level)

        # The approved security plan of the assessment: every section, and a real PDF.
        page.goto(assessment_url)
        page.get_by_role("link", name=re.compile(r"^Security plan SP-\d+$")).click()
        expect(page).to_have_url(re.compile(r"/plans/security-plans/\d+/$"))
        expect(page.locator("main")).to_contain_text(re.compile(r"Approved version: v\d+"))
        page.get_by_role("link", name=re.compile(r"^v\d+$")).click()
        expect(page).to_have_url(re.compile(r"/plans/security-plan-versions/\d+/$"))
        headings = page.locator("section.plan-section h2")
        for number, section in enumerate(PLAN_SECTIONS):
            expect(headings.nth(number)).to_contain_text(section)
        expect(page.locator("section.plan-section").first).to_contain_text(
            "Hamburg Billbrook warehouse")
        pdf_link = page.get_by_role("link", name="PDF (watermarked with your name)")
        with page.expect_download() as download_info:
            pdf_link.click(modifiers=["Alt"])  # Alt-click: download instead of navigating
        pdf = download_info.value
        pdf_bytes = open(pdf.path(), "rb").read()
        assert pdf_bytes.startswith(b"%PDF"), pdf_bytes[:40]
        assert len(pdf_bytes) > 5_000
        response = page.request.get(base + pdf_link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.body().startswith(b"%PDF")

        # The supply-chain map colours sites by their highest residual risk, with a legend.
        page.goto(f"{base}/supplychain/map/")
        legend = page.locator("#risk-legend")
        expect(legend).to_be_visible()
        expect(legend).to_contain_text("Highest residual risk")
        legend_colours = set(legend.locator("circle").evaluate_all(
            "cs => cs.map(c => c.getAttribute('fill'))"))
        assert len(legend_colours) >= 3, legend_colours
        nodes = page.locator("svg.map-svg g.nodes circle").evaluate_all(
            "cs => cs.map(c => [c.querySelector('title').textContent, c.getAttribute('fill')])")
        coloured = {re.search(r"\((\w+-\w+)\)", title).group(1)
                    for title, fill in nodes if fill in legend_colours}
        # The demo assessment rates the three sites of its scope (risk/demo.yaml `sites`); every
        # other site has no rating and keeps the plain fill.
        assert coloured == {"DEHAM-WH1", "PLPOZ-WH1", "PLSTR-XD1"}, nodes
        assert len(nodes) > len(coloured), nodes
        # …and can be switched back to transport modes only: no risk colours, no risk legend.
        page.get_by_role("link", name="Show legs by transport mode only").click()
        expect(page).to_have_url(re.compile(r"[?&]colour=mode"))
        expect(page.locator("#risk-legend")).to_have_count(0)
        fills = page.locator("svg.map-svg g.nodes circle").evaluate_all(
            "cs => cs.map(c => c.getAttribute('fill'))")
        assert fills and not set(fills) & legend_colours, fills


@pytest.mark.browser
def test_corrective_action_verified_by_someone_else(risk_server):
    admin, owner = risk_server
    base = admin.url
    with browsing() as new_page:
        # The owner finds the corrective action in My work but may not verify it herself.
        mine = new_page(owner)
        mine.goto(f"{base}/audits/my-work/")
        expect(mine.get_by_role("heading", name="My work")).to_be_visible()
        item = mine.locator("tr", has_text=CAPA)
        expect(item).to_contain_text("Actions done (awaiting verification)")
        item.get_by_role("link").first.click()
        expect(mine).to_have_url(re.compile(r"/audits/corrective-actions/\d+/$"))
        capa_url = mine.url
        expect(mine.locator("main")).to_contain_text(
            "You own this corrective action: someone else with the verify right must check "
            "its effectiveness.")
        expect(mine.get_by_role("button", name="Record verification")).to_have_count(0)
        # Posting the verification anyway (a stale page, a crafted request) is refused too.
        token = mine.context.cookies(base)
        csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
        refused = mine.request.post(capa_url + "verify/", form={"effective": "yes",
                                                                "notes": "self-verified"},
                                    headers={"X-CSRFToken": csrf, "Referer": capa_url})
        assert refused.status < 500
        mine.goto(capa_url)
        expect(mine.locator("#capa-status")).to_have_text("Actions done (awaiting verification)")

        # The administrator (not the owner) verifies it as effective: it closes.
        page = new_page(admin)
        page.goto(capa_url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(CAPA)
        page.get_by_label("Effective: close it").check()
        page.get_by_label("Verification notes").first.fill(
            "Sampled 10 training records in the LMS: all dated, trainer named.")
        page.get_by_role("button", name="Record verification").click()
        expect(page).to_have_url(capa_url)
        expect(page.get_by_role("alert").filter(has_text=CAPA)).to_contain_text("closed")
        expect(page.locator("#capa-status")).to_have_text("Closed (verified effective)")
        main = page.locator("main")
        expect(main).to_contain_text("Sampled 10 training records in the LMS")
        expect(main).not_to_contain_text(re.compile(r"Verified by\s+—"))
        expect(main).not_to_contain_text(re.compile(r"Verified on\s+—"))
        expect(page.locator("#history")).to_contain_text(admin.email)
        expect(page.get_by_role("button", name="Record verification")).to_have_count(0)

        # The owner's My work no longer lists it.
        mine.goto(f"{base}/audits/my-work/")
        expect(mine.get_by_role("heading", name="My work")).to_be_visible()
        expect(mine.locator("tr", has_text=CAPA)).to_have_count(0)


@pytest.mark.browser
def test_evidence_pack_for_iso28000(risk_server):
    admin, _owner = risk_server
    base = admin.url
    with browsing() as new_page:
        page = new_page(admin)
        page.goto(f"{base}/certification/evidence-packs/new/")
        framework = page.locator("#pack-framework")
        expect(framework.locator("option:checked")).to_have_text(re.compile(r"^ISO 28000:2022 "))
        page.get_by_role("button", name="Produce the pack").click()
        expect(page).to_have_url(re.compile(r"/certification/evidence-packs/\d+/$"))
        expect(page.get_by_role("alert").filter(has_text="is being prepared")).to_be_visible()
        pack_url = page.url

        # The worker produces it; the page offers the ZIP once it is ready.
        download = page.get_by_role("link", name="Download ZIP")
        deadline = time.monotonic() + PACK_TIMEOUT
        while not download.count():
            assert time.monotonic() < deadline, (
                f"the pack was not ready within {PACK_TIMEOUT}s: "
                f"{page.locator('#packsum-h').inner_text()}\nserver and worker log:\n"
                f"{open(admin.log_path).read()[-4000:]}")
            time.sleep(2)
            page.goto(pack_url)
        expect(page.locator("main")).to_contain_text("Requirements")
        expect(page.locator("main")).to_contain_text("8.1")

        with page.expect_download() as download_info:
            download.click()
        archive = download_info.value
        assert archive.suggested_filename.endswith(".zip"), archive.suggested_filename
        with zipfile.ZipFile(io.BytesIO(open(archive.path(), "rb").read())) as pack:
            assert pack.testzip() is None
            names = pack.namelist()
            index = next((n for n in names if n.rsplit("/", 1)[-1] == "index.html"), None)
            assert index, names
            html = pack.read(index).decode("utf-8")
            assert "ISO 28000" in html
            assert any(n.lower().endswith(".pdf") for n in names), names
