"""A person sees where they are signed in and ends sessions (issue 18 item 3): one browser ends
another, which is signed out at once; nobody sees or ends someone else's sessions."""

import datetime

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from chainward.access.models import UserSession
from chainward.ledger.models import LedgerEntry
from tests.support.mfa import give_authenticator, sign_in
from tests.support.world import PASSWORD

NEW_PASSWORD = "a long unusual passphrase 42"


def browser(user, agent, address="192.0.2.10"):
    """A client signed in through the login page (both steps when the person has two-step
    sign-in), as a browser would be."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302 and "/login/" not in response.url, response.content
    return client


def signed_in(client):
    return client.get("/").status_code == 200


def own_session(user, agent):
    return UserSession.objects.get(user=user, user_agent=agent, ended_at=None)


def test_the_list_shows_only_the_persons_own_sessions(world):
    alice, bob = world["users"]["viewer__org"], world["users"]["security_manager__org"]
    give_authenticator(bob)  # a security manager signs in with two steps
    laptop = browser(alice, "Firefox on the laptop", "192.0.2.10")
    browser(alice, "Safari on the phone", "198.51.100.7")
    browser(bob, "Bob's Chrome")
    page = laptop.get("/account/sessions/").content.decode()
    assert "Firefox on the laptop" in page and "Safari on the phone" in page
    assert "198.51.100.7" in page and "192.0.2.10" in page
    assert "Bob&#x27;s Chrome" not in page and "Bob's Chrome" not in page
    assert page.count("this browser") == 1
    assert page.count("End this session") == 1  # the phone's; the laptop logs out instead


def test_ending_another_session_signs_that_browser_out(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    phone = browser(alice, "Safari on the phone")
    assert signed_in(phone)
    record = own_session(alice, "Safari on the phone")
    response = laptop.post(f"/account/sessions/{record.pk}/end/")
    assert response.status_code == 302 and response.url == "/account/sessions/"
    assert phone.get("/").url.startswith("/login/")
    assert signed_in(laptop)
    record.refresh_from_db()
    assert record.ended_at is not None
    assert not Session.objects.filter(session_key=record.session_key).exists()
    assert "Safari on the phone" not in laptop.get("/account/sessions/").content.decode()
    assert list(LedgerEntry.objects.filter(action="session_ended").values_list(
        "object_id", "actor_id")) == [(str(record.pk), alice.pk)]


def test_ending_all_other_sessions_keeps_this_one(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    phone = browser(alice, "Safari on the phone")
    tablet = browser(alice, "Chrome on the tablet")
    give_authenticator(world["users"]["security_manager__org"])  # two steps for him
    bob = browser(world["users"]["security_manager__org"], "Bob's Chrome")
    assert laptop.post("/account/sessions/end-others/").status_code == 302
    assert not signed_in(phone) and not signed_in(tablet)
    assert signed_in(laptop) and signed_in(bob)
    entry = LedgerEntry.objects.get(action="other_sessions_ended")
    assert entry.actor_id == alice.pk and len(entry.after["sessions"]) == 2


def test_nobody_ends_someone_elses_session(world):
    alice, bob = world["users"]["viewer__org"], world["users"]["security_manager__org"]
    give_authenticator(bob)  # a security manager signs in with two steps
    mallory = browser(alice, "Firefox on the laptop")
    victim = browser(bob, "Bob's Chrome")
    record = own_session(bob, "Bob's Chrome")
    assert mallory.post(f"/account/sessions/{record.pk}/end/").status_code == 404
    assert signed_in(victim)
    record.refresh_from_db()
    assert record.ended_at is None
    assert not LedgerEntry.objects.filter(action="session_ended").exists()


def test_logging_out_ends_the_session_on_the_list(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    phone = browser(alice, "Safari on the phone")
    phone.post("/logout/")
    assert own_session(alice, "Firefox on the laptop")
    assert UserSession.objects.get(user_agent="Safari on the phone").ended_reason == "logout"
    assert "Safari on the phone" not in laptop.get("/account/sessions/").content.decode()


def test_changing_the_password_ends_other_sessions_and_keeps_this_one_listed(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    phone = browser(alice, "Safari on the phone")
    assert laptop.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD}).status_code == 302
    assert not signed_in(phone) and signed_in(laptop)
    page = laptop.get("/account/sessions/").content.decode()
    assert "Firefox on the laptop" in page and "Safari on the phone" not in page
    # Django gave the laptop a new session key; the list follows it.
    record = own_session(alice, "Firefox on the laptop")
    assert Session.objects.filter(session_key=record.session_key).exists()
    assert UserSession.objects.get(user_agent="Safari on the phone").ended_reason == \
        "password changed"


def test_last_seen_moves_at_most_once_a_minute(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    record = own_session(alice, "Firefox on the laptop")
    signed_in_at = record.last_seen_at
    laptop.get("/")
    record.refresh_from_db()
    assert record.last_seen_at == signed_in_at
    from django.core.cache import cache

    cache.clear()  # the minute has passed
    laptop.get("/")
    record.refresh_from_db()
    assert record.last_seen_at > signed_in_at


def test_an_expired_session_is_not_listed(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    browser(alice, "Safari on the phone")
    stale = own_session(alice, "Safari on the phone")
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert "Safari on the phone" not in laptop.get("/account/sessions/").content.decode()


def test_ending_this_browsers_own_session_logs_it_out(world):
    alice = world["users"]["viewer__org"]
    laptop = browser(alice, "Firefox on the laptop")
    record = own_session(alice, "Firefox on the laptop")
    assert laptop.post(f"/account/sessions/{record.pk}/end/").url == "/login/"
    assert not signed_in(laptop)
    assert not Session.objects.filter(session_key=record.session_key).exists()
