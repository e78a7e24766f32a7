"""A register's list, add and import addresses are reversed once and remembered, per script
prefix and urlconf (the navigation asks for every register's list on every page)."""

from django.urls import clear_script_prefix, set_script_prefix

from chainward.core.registry import get_register


def test_a_register_url_follows_the_script_prefix_it_is_served_under():
    sites = get_register("supplychain.site")
    assert sites.list_url == "/supplychain/sites/"
    set_script_prefix("/chainward/")
    try:
        assert sites.list_url == "/chainward/supplychain/sites/"
        assert sites.add_url == "/chainward/supplychain/sites/add/"
    finally:
        clear_script_prefix()
    assert sites.list_url == "/supplychain/sites/"
    assert sites.import_url == "/supplychain/sites/import/"
