"""Finding 15: login throttling counts in the cache, per client address and per account, never
writes a ledger entry per failed attempt, ledgers a lock-out once, and cannot be used by a
stranger to keep the owner out; people whose roles have all ended cannot log in."""

import datetime

from django.test import Client, override_settings

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.support.world import PASSWORD

OWNER_ADDR, STRANGER_ADDR = "198.51.100.7", "203.0.113.9"


def login(client, email, password, addr=OWNER_ADDR):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=addr)


def test_failed_logins_for_unknown_addresses_write_no_ledger_entry(client, world):
    before = LedgerEntry.objects.count()
    for n in range(3):
        assert login(client, f"nobody{n}@c.example", "guess").status_code == 200
    assert LedgerEntry.objects.count() == before


def test_failed_logins_for_a_known_account_write_no_ledger_entry_per_attempt(client, world):
    before = LedgerEntry.objects.count()
    email = world["users"]["viewer__org"].email
    login(client, email, "guess")
    login(client, email, "guess again")
    assert LedgerEntry.objects.count() == before


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_address_that_failed_is_locked_for_that_account_and_the_lock_is_ledgered_once(
        client, world):
    user = world["users"]["viewer__org"]
    for _ in range(3):
        login(client, user.email, "guess", STRANGER_ADDR)
    for _ in range(3):
        response = login(client, user.email, PASSWORD, STRANGER_ADDR)
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    locks = LedgerEntry.objects.filter(action="login_locked")
    assert [(e.object_type, e.object_id) for e in locks] == [("access.user", str(user.pk))]


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_stranger_cannot_lock_the_owner_out_from_another_address(world):
    email = world["users"]["viewer__org"].email
    for _ in range(10):
        login(Client(), email, "guess", STRANGER_ADDR)
    assert login(Client(), email, PASSWORD, OWNER_ADDR).status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=4)
def test_one_address_failing_across_many_accounts_is_refused_for_every_account(world):
    for n in range(4):
        login(Client(), f"guess{n}@a.example", "guess", STRANGER_ADDR)
    response = login(Client(), world["users"]["contributor__org"].email, PASSWORD,
                     STRANGER_ADDR)
    assert response.status_code == 200 and "Too many failed attempts" in \
        response.content.decode()
    assert login(Client(), world["users"]["contributor__org"].email, PASSWORD,
                 OWNER_ADDR).status_code == 302


@override_settings(LOGIN_ACCOUNT_FAILURE_LIMIT=5)
def test_distributed_guessing_locks_unknown_browsers_but_not_the_owners(world):
    user = world["users"]["viewer__org"]
    owner = Client()
    assert login(owner, user.email, PASSWORD).status_code == 302  # remembers this browser
    owner.post("/logout/")
    for n in range(5):
        login(Client(), user.email, "guess", f"203.0.113.{n + 10}")
    assert LedgerEntry.objects.filter(action="login_locked", object_id=str(user.pk)).count() == 1
    new_browser = login(Client(), user.email, PASSWORD, "192.0.2.50")
    assert new_browser.status_code == 200
    assert login(owner, user.email, PASSWORD, "192.0.2.51").status_code == 302


def test_a_successful_login_resets_the_count_of_that_address_for_that_account(client, world):
    email = world["users"]["viewer__org"].email
    with override_settings(LOGIN_FAILURE_LIMIT=3):
        login(client, email, "guess")
        login(client, email, "guess")
        assert login(client, email, PASSWORD).status_code == 302
        client.post("/logout/")
        login(client, email, "guess")
        login(client, email, "guess")
        assert login(client, email, PASSWORD).status_code == 302


def test_a_person_whose_roles_have_all_ended_cannot_log_in_and_is_told_why(client, world):
    user = world["users"]["external_auditor__org"]
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        assignment.save()
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "no current role" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_person_whose_only_role_is_archived_cannot_log_in(client, world):
    user = world["users"]["viewer__org"]
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.archived = True
        assignment.save()
    assert login(client, user.email, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_wrong_password_of_a_person_without_role_says_nothing_about_their_roles(
        client, world):
    user = world["users"]["viewer__org"]
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.archived = True
        assignment.save()
    page = login(client, user.email, "guess").content.decode()
    assert "no current role" not in page


PROXY_ADDR = "10.0.0.2"


def behind_proxy(client, email, password, client_addr, claimed=""):
    """A login through one reverse proxy: it connects from PROXY_ADDR and appends the address
    it was reached from to whatever X-Forwarded-For the client sent (`claimed`)."""
    forwarded = f"{claimed}, {client_addr}" if claimed else client_addr
    return client.post("/login/", {"username": email, "password": password},
                       REMOTE_ADDR=PROXY_ADDR, HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_each_client_is_throttled_and_ledgered_by_its_own_address(world):
    """Behind one proxy every request comes from the proxy: with TRUSTED_PROXIES=1 the
    stranger's failures lock the stranger only, and what a client writes into the header itself
    is not believed."""
    user = world["users"]["viewer__org"]
    for _ in range(3):
        behind_proxy(Client(), user.email, "guess", STRANGER_ADDR, claimed=OWNER_ADDR)
    refused = behind_proxy(Client(), user.email, PASSWORD, STRANGER_ADDR, claimed=OWNER_ADDR)
    assert "Too many failed attempts" in refused.content.decode()
    owner = Client()
    assert behind_proxy(owner, user.email, PASSWORD, OWNER_ADDR).status_code == 302
    entry = LedgerEntry.objects.filter(action="login", object_id=str(user.pk)).latest("seq")
    assert entry.after["ip"] == OWNER_ADDR


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_without_trusted_proxies_the_forwarded_header_is_ignored(world):
    """TRUSTED_PROXIES=0 (the default: clients connect directly): a client cannot escape its
    lock by writing another address into X-Forwarded-For."""
    user = world["users"]["viewer__org"]
    for _ in range(3):
        login(Client(), user.email, "guess", STRANGER_ADDR)
    response = Client().post("/login/", {"username": user.email, "password": PASSWORD},
                             REMOTE_ADDR=STRANGER_ADDR, HTTP_X_FORWARDED_FOR=OWNER_ADDR)
    assert "Too many failed attempts" in response.content.decode()


@override_settings(TRUSTED_PROXIES=2)
def test_a_header_shorter_than_the_proxy_chain_was_not_written_by_it(rf):
    from chainward.ledger.events import client_ip

    request = rf.get("/", REMOTE_ADDR=PROXY_ADDR, HTTP_X_FORWARDED_FOR=OWNER_ADDR)
    assert client_ip(request) == PROXY_ADDR
    request = rf.get("/", REMOTE_ADDR=PROXY_ADDR,
                     HTTP_X_FORWARDED_FOR=f"{STRANGER_ADDR}, {OWNER_ADDR}, 10.0.0.3")
    assert client_ip(request) == OWNER_ADDR
