"""A real OpenID Connect provider for the single sign-on tests (django-oauth-toolkit), run as a
separate process on the loopback by tests/support/oidc.py."""
