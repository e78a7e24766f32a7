"""Health, schema, CSP, deployment checks, navigation, search and the map."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from whitenoise.storage import CompressedManifestStaticFilesStorage

from chainward.core.registry import all_registers, registrations
from chainward.core.roles import BUILTIN_ROLES
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, Site


def test_healthz_reports_database_and_ledger(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["status"] == "ok"
    assert body["ledger"]["status"] == "ok"


def test_login_page_is_public(client, db):
    assert client.get("/login/").status_code == 200
    assert client.get("/supplychain/sites/").status_code == 302


def test_openapi_schema_lists_the_supply_chain_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for prefix in ("sites", "partners", "legs", "goods", "programmes", "contacts", "statements",
                   "exemptions"):
        assert f"/api/supplychain/{prefix}/" in schema["paths"]
        assert f"/api/supplychain/{prefix}/{{id}}/archive/" in schema["paths"]


def test_api_docs_are_served_without_a_cdn(admin_client):
    page = admin_client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


PAGES = ["/", "/supplychain/sites/", "/supplychain/map/", "/supplychain/legs/",
         "/supplychain/partners/import/", "/supplychain/sites/add/", "/search/?q=Ham",
         "/jobs/", "/account/tokens/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_a_strict_csp_and_no_inline_script_or_style(admin_client, world, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\shx-on", html), "hx-on attribute"
    assert "cdn." not in html


def test_detail_page_csp(admin_client, world):
    test_pages_have_a_strict_csp_and_no_inline_script_or_style(
        admin_client, world, world["s1"].get_absolute_url())


def test_production_settings_pass_check_deploy(tmp_path):
    env = {**os.environ, "CHAINWARD_PRODUCTION": "1", "CHAINWARD_HOME": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "chainward.settings", "ALLOWED_HOSTS": "sms.example.com"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "chainward.cli", "check", "--deploy",
                             "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_cli_help_lists_chainward_commands():
    result = subprocess.run([sys.executable, "-m", "chainward.cli", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "verify-ledger"):
        assert command in result.stdout


def test_every_registered_model_has_a_full_matrix_row_a_register_and_an_api():
    registers = {r.label for r in all_registers()}
    for reg in registrations():
        assert set(reg.roles) == set(BUILTIN_ROLES), reg.label
        assert reg.label in registers, f"{reg.label} has no register"


def test_navigation_shows_only_what_the_role_may_see(client, world):
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get("/").content.decode()
    assert "/supplychain/sites/" in page
    assert "/supplychain/organisations/" in page  # officers read their organisation
    client.force_login(world["foreign"])
    page = client.get("/").content.decode()
    assert "Other Freight" in page and "ABC Logistics" not in page


def test_global_search_never_crosses_organisations(client, world):
    client.force_login(world["foreign"])
    page = client.get("/search/", {"q": "Hamburg"}).content.decode()
    assert world["s1"].get_absolute_url() not in page
    page = client.get("/search/", {"q": "Lyon"}).content.decode()
    assert world["s3"].get_absolute_url() in page


def test_global_search_builds_no_filter_form_and_runs_one_query_per_register(
        admin_client, world, monkeypatch, django_assert_max_num_queries):
    from chainward.core.filtersets import RecordFilterSet

    def refuse(*args, **kwargs):
        raise AssertionError("the global search built a register's filter form")

    monkeypatch.setattr(RecordFilterSet, "__init__", refuse)
    searchable = [r for r in all_registers() if getattr(r.filterset_class, "search_fields", ())]
    # One query per searchable register, plus the session, user and role lookups of a request.
    with django_assert_max_num_queries(len(searchable) + 8):
        page = admin_client.get("/search/", {"q": "Hamburg"}).content.decode()
    assert f'href="{world["s1"].get_absolute_url()}"' in page


def test_search_narrowed_to_one_kind_finds_what_the_full_search_finds_there(
        admin_client, world, django_assert_max_num_queries):
    """`?in=<label>` searches one register with one query; its hits are the full search's hits
    of that register, and the other registers' hits disappear. An unknown kind searches all."""
    with actor_context(None, name="test"):
        Partner.objects.create(organisation=world["org_a"], name="Hamburg Haulage",
                               kind="carrier", country="DE")
    full = admin_client.get("/search/", {"q": "Hamburg"}).content.decode()
    site_url, partner_links = world["s1"].get_absolute_url(), r'href="/supplychain/partners/\d+/"'
    assert f'href="{site_url}"' in full and re.search(partner_links, full)
    assert "in=supplychain.partner" in full  # the "only partners" link
    with django_assert_max_num_queries(1 + 8):
        narrowed = admin_client.get("/search/", {"q": "Hamburg", "in": "supplychain.partner"})
    page = narrowed.content.decode()
    assert "Search in Partners" in page
    assert re.findall(partner_links, page) == re.findall(partner_links, full)
    assert f'href="{site_url}"' not in page
    unknown = admin_client.get("/search/", {"q": "Hamburg", "in": "nothing.here"})
    assert f'href="{site_url}"' in unknown.content.decode()


def test_global_search_shows_ten_records_per_register_and_caps_the_count(admin_client, world):
    from chainward.core import search

    with actor_context(None, name="test"):
        # Created last to first: the ten shown must be the register's first ten by name, not
        # the first ten created (the search reads the ids, then their rows).
        depots = {number: Site.objects.create(organisation=world["org_a"],
                                              name=f"Depot {number:03}", kind="warehouse",
                                              country="DE")
                  for number in reversed(range(search.COUNT_CAP + 1))}
    page = admin_client.get("/search/", {"q": "Depot"}).content.decode()
    shown = re.findall(r'href="(/supplychain/sites/\d+/)"', page)
    assert shown == [depots[number].get_absolute_url() for number in range(search.HITS)]
    assert f"{search.COUNT_CAP}+" in page


def test_map_draws_every_node_and_leg_as_links_and_filters_by_mode(admin_client, world):
    with actor_context(None, name="test"):
        road = Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                  to_site=world["s2"], mode="road")
        Site.objects.create(organisation=world["org_a"], name="No coordinates", kind="office",
                            country="PL")
        sea = Leg.objects.create(organisation=world["org_a"], from_site=world["s2"],
                                 to_site=world["s1"], mode="sea")
    page = admin_client.get("/supplychain/map/").content.decode()
    assert page.count("<circle") == 3
    assert f'href="{road.get_absolute_url()}"' in page
    assert f'href="{sea.get_absolute_url()}"' in page
    assert f'href="{world["s3"].get_absolute_url()}"' not in page
    assert "Sites without coordinates" in page
    page = admin_client.get("/supplychain/map/", {"mode": "sea"}).content.decode()
    assert f'href="{sea.get_absolute_url()}"' in page
    assert f'href="{road.get_absolute_url()}"' not in page
    partial = admin_client.get("/supplychain/map/", {"mode": "sea"}, HTTP_HX_REQUEST="true",
                               HTTP_HX_TARGET="map").content.decode()
    assert partial.lstrip().startswith('<div id="map">')


def test_list_filters_render_as_an_htmx_partial(admin_client, world):
    response = admin_client.get("/supplychain/sites/", {"q": "Hamburg"}, HTTP_HX_REQUEST="true",
                                HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Hamburg warehouse" in html and "Rotterdam terminal" not in html


def test_every_asset_the_base_template_uses_is_served(admin_client):
    page = admin_client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(assets) >= 4
    for url in assets:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url


class _ProductionStorageWithoutCompression(CompressedManifestStaticFilesStorage):
    """The production static storage minus gzip/brotli, which took minutes and proves nothing
    about references (every file compresses); hashing and reference rewriting are unchanged."""

    def compress_files(self, paths):
        return iter(())


def test_production_collectstatic_has_every_asset_in_the_manifest(tmp_path, monkeypatch,
                                                                   settings):
    # The production settings serve static files from a manifest storage, not the finders.
    monkeypatch.setenv("CHAINWARD_PRODUCTION", "1")
    monkeypatch.setenv("CHAINWARD_HOME", str(tmp_path / "home"))
    spec = importlib.util.find_spec("chainward.settings")
    production = importlib.util.module_from_spec(spec)  # a fresh copy, not the running settings
    spec.loader.exec_module(production)
    production = vars(production)
    backend = production["STORAGES"]["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert production["WHITENOISE_USE_FINDERS"] is False
    # Collecting every app's files with it (strict manifest: a CSS or source map pointing at a
    # missing file fails) resolves the assets the base template uses to hashed names.
    settings.STATICFILES_DIRS = production["STATICFILES_DIRS"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": f"{__name__}._ProductionStorageWithoutCompression"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    for name in ("chainward/chainward.css", "chainward/chainward.js",
                 "vendor/bootstrap/css/bootstrap.min.css", "django_htmx/htmx-2.min.js"):
        url = static(name)
        stem, extension = os.path.splitext(name)
        hashed = rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}{re.escape(extension)}"
        assert re.fullmatch(hashed, url), url
        assert (tmp_path / "static" / url.removeprefix("/static/")).is_file(), url


def _site_url(**env):
    env = {**{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}, **env,
           "DJANGO_SETTINGS_MODULE": "chainward.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", "from django.conf import settings; "
                             "print(settings.SITE_URL)"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_mail_follow_the_port_served_on_unless_site_url_is_set():
    assert _site_url() == "http://127.0.0.1:8000"
    assert _site_url(PORT="9000") == "http://127.0.0.1:9000"
    assert _site_url(PORT="9000", SITE_URL="https://sms.example.com") == \
        "https://sms.example.com"
