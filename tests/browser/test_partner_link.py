"""Issue 17 item 6 / acceptance, in a real browser: the security manager sends a questionnaire,
the message arrives at a real SMTP server, the partner contact opens the link from that message
in a fresh browser (no account), answers, uploads evidence and signs; the manager then sees it
answered and signed.

The demo server runs in its own process, as for the other browser tests (same helpers), with
its e-mail pointed at the test's SMTP server through the settings' environment variables
(`EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_USE_TLS`) and `SITE_URL` set to the server, so that the
link in the message opens it.
"""

import re
import shutil
import tempfile
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import Server, _environment, _free_port, _serving, demo_instance
from tests.browser.signin import log_in
from tests.browser.test_pickers import pick
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS
from tests.partners.support import LINK, PDF
from tests.support.smtp import running_smtp_server

PARTNER, CONTACT = "Hanse Road Freight GmbH", "Dirk Hansen"
TEMPLATE = "Supply-chain security declaration (ISO 28001 4.2)"
MAIL_TIMEOUT = 30


@pytest.fixture(scope="module")
def mailing_server(chainward_server):
    """(Server, SmtpServer): the demo served with its e-mail sent to a real SMTP server."""
    with running_smtp_server() as smtp, \
            tempfile.TemporaryDirectory(prefix="chainward-browser-link-") as home:
        port = _free_port()
        env = _environment(home, port)
        env.update(EMAIL_HOST=smtp.host, EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="0",
                   EMAIL_USE_SSL="0", EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
                   SITE_URL=f"http://127.0.0.1:{port}")
        env.pop("EMAIL_BACKEND", None)
        demo_instance(chainward_server, home)
        smtp.clear()  # the demo mails nothing to partners; start from an empty mailbox anyway
        with _serving(home, env, port, "--no-worker"):
            yield Server(url=f"http://127.0.0.1:{port}", email=chainward_server.email,
                         password=chainward_server.password), smtp


def _link_message(smtp):
    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        for message in smtp.messages:
            if LINK.search(message.text()):
                return message
        time.sleep(0.2)
    pytest.fail(f"no message with a questionnaire link within {MAIL_TIMEOUT}s; received: "
                f"{[m.subject for m in smtp.messages]}")


@pytest.mark.browser
def test_the_partner_answers_uploads_and_signs_through_the_mailed_link(mailing_server):
    server, smtp = mailing_server
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    problems = []

    def watch(page):
        page.set_default_timeout(15_000)
        page.on("console", lambda m: problems.append(m.text) if any(
            marker in m.text for marker in CSP_MARKERS) else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 500 else None)
        return page

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            # The security manager sends the declaration (login, the add form).
            manager = watch(browser.new_context(viewport={"width": 1280, "height": 900})
                            .new_page())
            log_in(manager, server)
            expect(manager).not_to_have_url(re.compile(r"/login/"))
            manager.goto(f"{server.url}/partners/questionnaire-requests/add/")
            for field, text, typed in (("id_partner", PARTNER, "Hanse"),
                                       ("id_contact", CONTACT, "Dirk"),
                                       ("id_template", TEMPLATE, "declaration")):
                pick(manager, field, text, typed=typed)
                manager.locator("h1").click()  # leave the picker: its list closes
                expect(manager.locator(f"#{field}-ts-dropdown")).to_be_hidden()
            manager.fill("#id_deadline", "2099-12-31")
            manager.get_by_role("button", name="Save", exact=True).click()
            expect(manager).to_have_url(re.compile(r"/partners/questionnaire-requests/\d+/$"))
            request_url = manager.url

            # The message the SMTP server received carries the link.
            message = _link_message(smtp)
            link = LINK.search(message.text()).group(0)
            assert link.startswith(server.url)

            # The contact, in a fresh browser context (no session, no account).
            contact = watch(browser.new_context(viewport={"width": 1024, "height": 900})
                            .new_page())
            contact.goto(link)
            expect(contact.get_by_role("heading", name=TEMPLATE)).to_be_visible()
            for radio in contact.locator("input[type=radio][value=yes]").all():
                radio.check()
            for answer in contact.locator("textarea[name^=q]").all():
                answer.fill("Security desk, +49 40 123 456, around the clock")
            files = contact.locator("input[type=file]")
            assert files.count() >= 1
            for index in range(files.count()):
                files.nth(index).set_input_files({"name": f"evidence-{index}.pdf",
                                                  "mimeType": "application/pdf",
                                                  "buffer": PDF})
            contact.get_by_role("button", name="Save and go to signing").click()
            expect(contact).to_have_url(re.compile(r"/sign/$"))
            expect(contact.get_by_role("cell", name="evidence-0.pdf")).to_be_visible()
            contact.get_by_label("Your full name").fill(CONTACT)
            contact.get_by_label("Your role in the company").fill("Security manager")
            contact.get_by_label("I sign the declaration above").check()
            contact.get_by_role("button", name="Sign and send").click()
            expect(contact.get_by_role("status")).to_contain_text(f"signed by {CONTACT}")

            # The manager sees it answered and signed, with the evidence.
            manager.goto(request_url)
            expect(manager.get_by_text("Answered and signed").first).to_be_visible()
            expect(manager.get_by_text("evidence-0.pdf").first).to_be_visible()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
