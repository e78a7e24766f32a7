"""Attribute every change made while serving a request to the requesting user."""

import uuid

from .context import actor_for, reset_actor, set_actor


class ActorMiddleware:
    """Sets a request id and the acting user for the ledger."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        user = getattr(request, "user", None)
        # The user is resolved lazily; API token users are only known after DRF authenticates,
        # so the API base view installs its own actor as well.
        token = set_actor(actor_for(user, request_id=request.request_id))
        try:
            response = self.get_response(request)
        finally:
            reset_actor(token)
        response["X-Request-ID"] = request.request_id
        return response
