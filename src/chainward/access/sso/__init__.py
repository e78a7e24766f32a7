"""Single sign-on per organisation with OpenID Connect (its own Django app, label `sso`)."""
