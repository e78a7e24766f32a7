"""SAML 2.0 single sign-on on pysaml2: the provider's metadata, our service-provider side, the
AuthnRequest and the checks of the answer.

pysaml2 (with xmlsec1) checks the XML signature of the response or of its assertion against
the certificate in the provider's metadata (one of them must be signed), the audience (our
entity ID), the destination (our ACS URL), the issuer, NotBefore/NotOnOrAfter, and that
InResponseTo names a request we sent. Our requests are unsigned (the signed answer is what
counts); the ids of the requests sent are kept in the database (SamlRequest), not in the
session: the provider's answer is a cross-site POST, which carries no session cookie. Each id is
used once, so a replayed answer is refused.
"""

import shutil
from datetime import timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import SamlRequest
from .services import secure_url

REQUEST_SECONDS = 600  # how long an AuthnRequest may wait for its answer
METADATA_CACHE_SECONDS = 600
EMAIL_ATTRIBUTES = ("mail", "email", "emailAddress", "Email")
NAME_ATTRIBUTES = ("displayName", "name", "cn")
SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


class SamlFailure(Exception):
    """The provider's answer could not be verified (the message says what failed, for the
    ledger; people see a general message)."""


def xmlsec_binary():
    """The xmlsec1 program pysaml2 signs and verifies with."""
    binary = shutil.which("xmlsec1")
    if binary is None:
        raise SamlFailure("xmlsec1 is not installed on the server")
    return binary


# --- the provider's metadata ---------------------------------------------------------------------
def fetch_metadata(url):
    """The metadata document at `url` (https, or http on the loopback); ValidationError on the
    metadata URL field when it cannot be read."""
    if not secure_url(url):
        raise ValidationError({"metadata_url": "The metadata URL must be an https:// address."})
    try:
        answer = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT)
        answer.raise_for_status()
    except requests.RequestException as error:
        raise ValidationError(
            {"metadata_url": f"The metadata could not be read from this address ({error})."}
        ) from error
    return answer.text


def metadata_of(provider, *, fresh=False):
    """The provider's metadata XML: as pasted, or fetched from its URL (kept a few minutes)."""
    if provider.metadata_xml.strip():
        return provider.metadata_xml
    key = f"sso:saml-metadata:{provider.metadata_url}"
    text = None if fresh else cache.get(key)
    if text is None:
        text = fetch_metadata(provider.metadata_url)
        cache.set(key, text, METADATA_CACHE_SECONDS)
    return text


def identity_provider(xml, field="metadata_xml"):
    """`(entity_id, sign-in URL)` of the one identity provider the metadata describes, which
    must carry a signing certificate; ValidationError on `field` naming what is missing."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.mdstore import InMemoryMetaData

    metadata = InMemoryMetaData(None, metadata=xml)
    try:
        metadata.load()
    except Exception as error:  # pysaml2 raises many kinds on unreadable XML
        raise ValidationError(
            {
                field: "This is not SAML metadata pysaml2 can read "
                f"({type(error).__name__}); paste the provider's EntityDescriptor XML."
            }
        ) from error
    providers = list(metadata.with_descriptor("idpsso"))
    if len(providers) != 1:
        raise ValidationError(
            {
                field: f"The metadata must describe one identity provider; it describes "
                f"{len(providers)}."
            }
        )
    entity_id = providers[0]
    services = metadata.service(
        entity_id, "idpsso_descriptor", "single_sign_on_service", BINDING_HTTP_REDIRECT
    )
    if not services:
        raise ValidationError(
            {field: "The metadata has no single sign-on endpoint with the HTTP-Redirect binding."}
        )
    if not metadata.certs(entity_id, "idpsso", "signing"):
        raise ValidationError({field: "The metadata has no signing certificate."})
    return entity_id, services[0]["location"]


def check_metadata(provider):
    """Rule of a SAML provider: exactly one of metadata URL or pasted XML, and metadata that
    names an identity provider, its sign-in endpoint and its signing certificate."""
    if bool(provider.metadata_url) == bool(provider.metadata_xml.strip()):
        raise ValidationError(
            {"metadata_xml": "Give the metadata URL or paste the metadata XML (one of them)."}
        )
    field = "metadata_url" if provider.metadata_url else "metadata_xml"
    identity_provider(metadata_of(provider, fresh=True), field)


# --- our side ------------------------------------------------------------------------------------
def service_provider(request, provider):
    """`(entity ID, ACS URL, metadata URL)` of Chainward for this provider (the entity ID is
    the metadata URL)."""
    metadata = request.build_absolute_uri(reverse("sso:saml_metadata", args=[provider.pk]))
    acs = request.build_absolute_uri(reverse("sso:saml_acs", args=[provider.pk]))
    return metadata, acs, metadata


def _config(request, provider, idp_xml=None):
    from saml2 import BINDING_HTTP_POST
    from saml2.config import SPConfig
    from saml2.saml import NAMEID_FORMAT_EMAILADDRESS

    entity_id, acs, _ = service_provider(request, provider)
    settings_ = {
        "entityid": entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "allow_unknown_attributes": True,  # keeps the group attribute, whatever its name
        "service": {
            "sp": {
                "name": "Chainward",
                # pysaml2 reads these per service; sha1 is its default.
                "signing_algorithm": SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                "want_assertions_or_response_signed": True,
                "want_assertions_signed": False,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            }
        },
    }
    if idp_xml is not None:
        settings_["metadata"] = {"inline": [idp_xml]}
    config = SPConfig()
    config.load(settings_)
    return config


def sp_metadata(request, provider):
    """Chainward's SP metadata for this provider (entity ID, ACS URL; requests unsigned,
    signed assertions wanted)."""
    from saml2.metadata import entity_descriptor

    return str(entity_descriptor(_config(request, provider)))


def _client(request, provider):
    from saml2.client import Saml2Client

    return Saml2Client(_config(request, provider, metadata_of(provider)))


def start_url(request, provider, email, next_url):
    """The provider's sign-in address carrying a new AuthnRequest (its id kept server-side)."""
    from saml2 import BINDING_HTTP_REDIRECT

    entity_id, _ = identity_provider(metadata_of(provider))
    request_id, info = _client(request, provider).prepare_for_authenticate(
        entityid=entity_id, binding=BINDING_HTTP_REDIRECT, subject=None
    )
    now = timezone.now()
    with transaction.atomic():
        SamlRequest.objects.filter(expires_at__lt=now).delete()
        SamlRequest.objects.create(
            request_id=request_id,
            provider=provider,
            next_url=next_url[:500],
            expires_at=now + timedelta(seconds=REQUEST_SECONDS),
        )
    url = dict(info["headers"])["Location"]
    if email:
        # Not part of the signed message (requests are unsigned): a hint some providers use.
        url += ("&" if "?" in url else "?") + "login_hint=" + requests.utils.quote(email)
    return url


def verify_response(request, provider, saml_response):
    """`(claims, issuer, next_url)` of a verified answer; its request id is used up.
    Raises SamlFailure saying what failed."""
    from saml2 import BINDING_HTTP_POST

    pending = dict(
        SamlRequest.objects.filter(provider=provider, expires_at__gte=timezone.now()).values_list(
            "request_id", "next_url"
        )[:1000]
    )
    try:
        client = _client(request, provider)
        answer = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=pending
        )
    except ValidationError as error:
        raise SamlFailure(f"metadata unavailable: {error.messages[0]}") from error
    except Exception as error:  # pysaml2 raises a zoo of types; each is a refusal
        raise SamlFailure(f"{type(error).__name__}: {str(error)[:120]}") from error
    if answer is None or answer.assertion is None:
        # pysaml2 answers None (and logs why) for a Destination other than our ACS URL.
        raise SamlFailure(
            "response not accepted (its Destination is not this ACS, or it has no assertion)"
        )
    used, _ = SamlRequest.objects.filter(
        provider=provider, request_id=answer.in_response_to
    ).delete()
    if not used:  # answered twice at the same moment: the second one loses
        raise SamlFailure("request already answered")
    identity = answer.get_identity() or {}
    email = _first(identity, EMAIL_ATTRIBUTES)
    if not email and answer.name_id is not None and "@" in (answer.name_id.text or ""):
        email = answer.name_id.text
    claims = {
        "email": email,
        "name": _first(identity, NAME_ATTRIBUTES),
        provider.group_claim or "groups": identity.get(provider.group_claim or "groups", []),
    }
    issuer = answer.issuer() if callable(getattr(answer, "issuer", None)) else ""
    return claims, issuer, pending.get(answer.in_response_to, "")


def _first(identity, names):
    for name in names:
        values = identity.get(name)
        if values:
            return str(values[0]).strip()
    return ""
