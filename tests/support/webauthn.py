"""A software security key for tests: what a FIDO2 authenticator and the browser do, built on
`cryptography` (a real P-256 key pair) and `cbor2`, independent of the code under test.

`create` answers the registration options the server sent (packed self-attestation: the new
key signs authenticatorData || SHA-256(clientDataJSON)); `get` answers authentication options
(an assertion signed the same way, its counter counting up). Both give the JSON that the
browser script (django-otp-webauthn's, on @simplewebauthn/browser) posts, so the server's
py_webauthn verifies real signatures. `origin` and `rp_id` are where the "browser" is: a test
gives a wrong one on purpose to see it refused.
"""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40  # authenticatorData flags: user present, verified, attested data


def b64url(data):
    """Base64url without padding, as WebAuthn's JSON uses."""
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    """The bytes of base64url text (padding optional)."""
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftwareKey:
    """One credential on one software authenticator."""

    def __init__(self, *, origin, rp_id=None):
        self.origin = origin
        self.rp_id = rp_id
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle = None

    def cose_public_key(self):
        """The public key as COSE_Key (EC2, P-256, ES256)."""
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind, challenge):
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def _sign(self, auth_data, client_data):
        message = auth_data + hashlib.sha256(client_data).digest()
        return self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))

    def create(self, options):
        """The browser's answer to registration options (a dict as the server sent them)."""
        rp_id = self.rp_id or options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options["challenge"])
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([UP | UV | AT])
            + struct.pack(">I", self.sign_count)
            + bytes(16)
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        attestation = cbor2.dumps(
            {
                "fmt": "packed",
                "authData": auth_data,
                "attStmt": {"alg": -7, "sig": self._sign(auth_data, client_data)},
            }
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def get(self, options):
        """The browser's answer to authentication options: an assertion by this key."""
        allowed = [item["id"] for item in options.get("allowCredentials", [])]
        assert not allowed or b64url(self.credential_id) in allowed, (
            "the server did not offer this key"
        )
        rp_id = self.rp_id or options["rpId"]
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([UP | UV])
            + struct.pack(">I", self.sign_count)
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(self._sign(auth_data, client_data)),
                "userHandle": b64url(self.user_handle) if self.user_handle else None,
            },
            "clientExtensionResults": {},
        }
