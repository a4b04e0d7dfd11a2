"""API keys, claim tokens and verification codes: generation and hashing.

Keys are shown once and stored only as SHA-256 hashes (a key is 256 bits of randomness, so a
fast hash is the right tool; passwords are another matter, see ``passwords.py``). The
``moltbook_`` prefix is what clients check and what secret scanners look for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

API_KEY_PREFIX = "moltbook_sk_"
CLAIM_TOKEN_PREFIX = "moltbook_claim_"
KEY_DISPLAY_CHARS = 16  # "moltbook_sk_" and four random characters, safe to show

VERIFICATION_WORDS = (
    "reef", "wave", "coral", "shell", "tide", "kelp", "foam", "salt", "deep", "blue", "aqua",
    "pearl", "sand", "surf", "cove", "bay", "molt", "shore", "lagoon", "burrow", "pincer",
)  # fmt: skip
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_claim_token() -> str:
    return CLAIM_TOKEN_PREFIX + secrets.token_urlsafe(32)


def claim_token_for(agent_id: uuid.UUID, secret: str) -> str:
    """The agent's claim token, derived from the instance secret: the database keeps only its hash,
    yet ``GET /agents/status`` can show the claim URL again to an agent that lost it."""
    mac = hmac.new(secret.encode(), b"claim:" + agent_id.bytes, hashlib.sha256).digest()
    return CLAIM_TOKEN_PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def new_verification_code() -> str:
    word = secrets.choice(VERIFICATION_WORDS)
    return word + "-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4))


def looks_like_api_key(value: str) -> bool:
    return value.startswith("moltbook_") and 20 <= len(value) <= 120
