"""What both golden-vector generators share: the public RFC 6979 test key, deterministic P-256
signatures over the exact text, base64url, and the `version\nname=value\n…` layout of the signed
bytes (docs/push-protocol.md)."""
import base64

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# TEST ONLY. The P-256 private key of RFC 6979 appendix A.2.5: public, known to everyone.
PRIVATE_KEY_HEX = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


key = ec.derive_private_key(int(PRIVATE_KEY_HEX, 16), ec.SECP256R1())
public_key = b64url(key.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def sign(text: str) -> str:
    der = key.sign(text.encode("ascii"), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def lines(version, fields):
    return version + "\n" + "".join(f"{name}={value}\n" for name, value in fields)
