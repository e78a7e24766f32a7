"""Start the test provider: migrate its SQLite file, create its people and the Chainward client,
serve on 127.0.0.1:<port> until killed. Prints READY when it answers.

Environment: OIDC_TEST_DB, OIDC_TEST_RSA_KEY, OIDC_TEST_ISSUER, OIDC_TEST_PORT,
OIDC_TEST_REDIRECT_URIS (space-separated), OAUTHLIB_INSECURE_TRANSPORT=1 (plain http on the
loopback)."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django

CLIENT_ID = "chainward-test"
CLIENT_SECRET = "chainward-test-secret"  # noqa: S105 - a throw-away test provider
# user name (= e-mail), password, groups
PEOPLE = [
    ("alice@acme.example", "alice-pw", ["security-team"]),
    ("newbie@acme.example", "newbie-pw", ["security-team"]),
    ("plain@acme.example", "plain-pw", []),
    ("blocked@acme.example", "blocked-pw", ["blocked"]),
    ("ended@acme.example", "ended-pw", []),
    ("mallory@other.example", "mallory-pw", []),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def setup():
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for email, password, groups in PEOPLE:
        user = User.objects.create_user(email, email, password, first_name=email.split("@")[0])
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="Chainward",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_TEST_REDIRECT_URIS"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.support.oidc_provider.settings")
    django.setup()
    setup()
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        int(os.environ["OIDC_TEST_PORT"]),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
