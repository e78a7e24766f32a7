"""403 and 404 pages inside the layout, with the reason and a way back, and a refusal logged as
one line without a traceback (issue 13 item 12); the favicon every page names (item 12)."""

import logging

import pytest


def test_a_refusal_is_a_page_of_the_layout_with_its_reason_and_a_way_back(client, world):
    client.force_login(world["users"]["viewer__org"])
    response = client.get("/supplychain/sites/add/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'aria-label="Main"' in page  # the navbar: inside the layout
    assert '<p class="lead" id="error-reason">You may not add sites.</p>' in page
    assert 'href="/">Back to the home page</a>' in page


def test_a_refusal_is_logged_as_one_line_without_a_traceback(client, world, caplog):
    client.force_login(world["users"]["viewer__org"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/supplychain/sites/add/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refusals] == [
        "Forbidden (Permission denied): /supplychain/sites/add/"]
    assert refusals[0].exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    """The filter strips 403s only: a 500 logged with its exception keeps it."""
    from chainward.core.logfilters import RefusalWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server "
                               "Error", None, info)
    record.status_code = 500
    assert RefusalWithoutTraceback().filter(record) and record.exc_info is info


@pytest.mark.parametrize("url, reason", [
    ("/no/such/page/", "This address leads to no page."),
    ("/risk/heatmap/?assessment=999999", "No security assessment found."),
])
def test_not_found_is_a_page_of_the_layout_with_a_way_back(client, world, url, reason):
    client.force_login(world["users"]["security_manager__org"])
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert 'aria-label="Main"' in page
    assert f'<p class="lead" id="error-reason">{reason}</p>' in page
    assert 'href="/">Back to the home page</a>' in page


def test_signed_out_people_are_offered_to_sign_in_on_a_404(client, db):
    page = client.get("/no/such/page/").content.decode()
    assert 'href="/login/">Sign in</a>' in page


def test_every_page_names_the_favicon_and_it_is_served(client, world):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/chainward/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/static/chainward/favicon.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content if response.streaming
                               else [response.content])
