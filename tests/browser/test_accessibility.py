"""axe-core and horizontal overflow in a real browser (issue 13 item 14 and its acceptance),
signed in to the demo, on the pages the issue lists: the home page, a list (sites), a detail (a
site, with its legs panels), a form (a site's, with its type-ahead pickers), the gap work page,
the supply-chain map and the risk heat maps; and axe on the risk-matrix grid editor (as it opens
and after adding a level with its buttons).

- axe: 0 serious or critical violations on each page (axe-core from the pinned
  `axe-playwright-python`, which ships axe.min.js).
- Overflow: on each listed page no horizontal scrolling (the document no wider than the window)
  at every width from 360 px to 1,920 px in steps of 40 px, and at 1,410-1,439 px, where the
  expanded navbar once pushed the user menu off the header; wherever the user menu is shown it
  stays inside the window and inside the header. One page load per page: the viewport is
  resized in a loop on the loaded page, not reloaded per width.

Prints the seconds it spends on axe and on the overflow loop.
"""

import re
import shutil
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.signin import log_in
from tests.browser.test_walkthrough import CHROMIUM_ARGS

axe_module = pytest.importorskip(
    "axe_playwright_python.sync_playwright",
    reason="axe-playwright-python is not installed (the test extra should pin it)")

BLOCKING = {"serious", "critical"}
HEIGHT = 900
WIDTHS = sorted({*range(360, 1921, 40), 1410, 1420, 1430, 1439})

# One round trip per width: the document's width, the window's, and where the user menu and
# the header are (the menu is inside the collapsed navbar, so not shown, below 1,400 px).
MEASURE = """() => {
  const box = (e) => (e ? e.getBoundingClientRect() : null);
  const menu = box(document.getElementById("user-menu"));
  const header = box(document.querySelector("nav.navbar"));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          menu: menu && menu.width > 0 ? [menu.left, menu.right, menu.top, menu.bottom] : null,
          header: header ? [header.top, header.bottom] : null};
}"""


def unnamed_links(page, inside):
    """The links under the `inside` selector to which Chrome itself computes no accessible
    name (its accessibility tree through the DevTools protocol, not axe's or Playwright's own
    name computation): an SVG link is named only by what it holds."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("Accessibility.enable")
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": inside})
        problems, count = [], 0
        for node_id in found["nodeIds"]:
            nodes = session.send("Accessibility.getPartialAXTree",
                                 {"nodeId": node_id, "fetchRelatives": False})["nodes"]
            for node in nodes:
                if node.get("role", {}).get("value") != "link" or node.get("ignored"):
                    continue
                count += 1
                if not node.get("name", {}).get("value", "").strip():
                    outer = session.send("DOM.getOuterHTML",
                                         {"backendNodeId": node["backendDOMNodeId"]})
                    problems.append(f"{page.url}: a link without a name: "
                                    f"{outer['outerHTML'][:200]}")
        return problems, count
    finally:
        session.detach()


def violations(axe, page):
    """The serious and critical axe violations of the page, one readable line each."""
    found = axe.run(page).response["violations"]
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else
                        str(n["target"]) for n in v["nodes"][:5])
            for v in found if v.get("impact") in BLOCKING]


def overflow(page):
    """Every width at which the loaded page scrolls sideways or the user menu leaves the
    window or the header, one readable line each; the viewport is put back afterwards."""
    original = page.viewport_size
    found = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            m = page.evaluate(MEASURE)
            if m["scroll"] > m["inner"]:
                found.append(f"{page.url} at {width} px: the document is {m['scroll']} px "
                             f"wide in a {m['inner']} px window")
            if m["menu"] is not None:
                left, right, top, bottom = m["menu"]
                header_top, header_bottom = m["header"]
                if left < 0 or right > m["inner"] or top < header_top or bottom > header_bottom:
                    found.append(f"{page.url} at {width} px: the user menu is at x {left:.0f}-"
                                 f"{right:.0f}, y {top:.0f}-{bottom:.0f}, outside the window "
                                 f"(0-{m['inner']}) or the header (y {header_top:.0f}-"
                                 f"{header_bottom:.0f})")
    finally:
        page.set_viewport_size(original)
    return found


@pytest.mark.browser
def test_listed_pages_have_no_serious_axe_violations_and_never_scroll_sideways(
        chainward_server):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    base = chainward_server.url
    axe = axe_module.Axe()
    problems, too_wide, seen, measured = [], [], [], []
    seconds = {"axe": 0.0, "overflow": 0.0}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
            page.set_default_timeout(15_000)
            log_in(page, chainward_server)
            expect(page).not_to_have_url(re.compile(r"/login/"))

            def check(path=None, *, widths=True):
                if path is not None:
                    page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                seen.append(page.url)
                started = time.monotonic()
                problems.extend(violations(axe, page))
                seconds["axe"] += time.monotonic() - started
                if widths:
                    started = time.monotonic()
                    too_wide.extend(overflow(page))
                    seconds["overflow"] += time.monotonic() - started
                    measured.append(page.url)

            check("/")  # the home page: the path to certification and the dashboard tiles
            check("/supplychain/sites/")  # a list
            page.locator("#results tbody tr a").first.click()
            expect(page).to_have_url(re.compile(r"/supplychain/sites/\d+/$"))
            expect(page.get_by_role("region", name="Outbound legs")).to_be_visible()
            check()  # a detail, with its related panels and their Add buttons
            page.get_by_role("link", name="Edit", exact=True).click()
            expect(page).to_have_url(re.compile(r"/supplychain/sites/\d+/edit/$"))
            expect(page.locator("#id_operator + .ts-wrapper")).to_be_visible()
            check()  # a form, with type-ahead pickers (Tom Select)
            page.goto(f"{base}/compliance/assessments/")
            page.locator("#results tbody tr a").first.click()
            page.get_by_role("link", name="Work through the requirements").click()
            check()  # the gap work page
            check("/supplychain/map/")
            expect(page.locator("svg.map-svg a").first).to_be_attached()
            # Every node, leg and incident marker is a link with a name in Chrome's own
            # accessibility tree (the demo has incidents, so markers are among them).
            markers = page.locator("svg.map-svg a.incident-marker").count()
            assert markers > 0, "the demo map shows no incident marker to check"
            unnamed, links = unnamed_links(page, "svg.map-svg a")
            problems.extend(unnamed)
            assert links >= markers + page.locator("svg.map-svg g.nodes a").count(), links
            check("/risk/heatmap/")
            expect(page.locator("svg.heatmap a").first).to_be_attached()
            # The risk-matrix grid editor, and again after adding a level with its buttons.
            check("/risk/matrices/add/", widths=False)
            page.get_by_role("button", name="Add a consequence level").click()
            expect(page.locator(".matrix-editor [role=status]")).to_contain_text("added")
            check(widths=False)
        finally:
            browser.close()
    print(f"\naxe on {len(seen)} pages: {seconds['axe']:.1f} s; overflow at {len(WIDTHS)} "
          f"widths on {len(measured)} pages: {seconds['overflow']:.1f} s")
    assert not problems and not too_wide, "\n".join(problems + too_wide)
    assert len(seen) == 9 and len(measured) == 7, seen
