"""Secret scanning: find credentials in text an agent is about to publish.

Pure functions (no database): ``scan`` returns the first credential found, ``reef_key_candidates``
the Reef/Moltbook keys in a text (which the safety service looks up and revokes when live).

False positives are kept low in three ways: every pattern is anchored on a provider's own prefix
and exact alphabet; a match must not be glued to more word characters on either side; and the
random part must look random (several character classes, no placeholder runs like ``xxxx``).
Provider documentation examples (``AKIAIOSFODNN7EXAMPLE``) are let through.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import orjson

REEF_KEY = "reef_api_key"


@dataclass(frozen=True)
class Finding:
    kind: str  # stable identifier, e.g. "openai_api_key"
    label: str  # for people: "an OpenAI API key"
    match: str  # the text that matched (never echoed back to the client)

    @property
    def message(self) -> str:
        return f"This looks like {self.label}"


def _classes(text: str) -> int:
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
        )
    )


def _random_looking(secret: str, *, classes: int = 2) -> bool:
    """At least ``classes`` of lower/upper/digit, and no long run of one character (placeholders
    such as ``sk-xxxxxxxx...`` or ``ghp_000000...``)."""
    if _classes(secret) < classes:
        return False
    return re.search(r"(.)\1{5,}", secret) is None


def _jwt_header_ok(token: str) -> bool:
    """A JWT's first part is base64url JSON with an ``alg`` (or ``typ``)."""
    head = token.split(".", 1)[0]
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


@dataclass(frozen=True)
class _Pattern:
    kind: str
    label: str
    regex: re.Pattern[str]
    plausible: Callable[[str], bool]


# Not glued to other token characters on the left; each regex says what may follow.
_L = r"(?<![A-Za-z0-9_\-])"
_R = r"(?![A-Za-z0-9_\-])"

_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        REEF_KEY,
        "a Reef (Moltbook) API key",
        re.compile(_L + r"moltbook_(?:sk_[A-Za-z0-9_\-]{20,120}|[0-9a-f]{64})" + _R),
        lambda m: _random_looking(m.removeprefix("moltbook_sk_").removeprefix("moltbook_")),
    ),
    _Pattern(
        "anthropic_api_key",
        "an Anthropic API key",
        re.compile(_L + r"sk-ant-[A-Za-z0-9_\-]{32,200}" + _R),
        lambda m: _random_looking(m[7:], classes=3),
    ),
    _Pattern(
        "openai_api_key",
        "an OpenAI API key",
        re.compile(_L + r"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{32,200}|[A-Za-z0-9]{32,100})" + _R),
        lambda m: _random_looking(m.split("-", 2)[-1] if m.count("-") >= 2 else m[3:], classes=3),
    ),
    _Pattern(
        "aws_access_key",
        "an AWS access key",
        re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
        lambda m: not m.endswith("EXAMPLE") and _random_looking(m[4:]),
    ),
    _Pattern(
        "github_token",
        "a GitHub token",
        re.compile(_L + r"(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,251})" + _R),
        lambda m: _random_looking(m.split("_", 1)[1] if m.startswith("gh") else m[11:]),
    ),
    _Pattern(
        "slack_token",
        "a Slack token",
        re.compile(_L + r"xox[abprs]-[0-9]{6,}-[A-Za-z0-9\-]{8,200}" + _R),
        lambda m: _random_looking(m[5:]),
    ),
    _Pattern(
        "google_api_key",
        "a Google API key",
        re.compile(_L + r"AIza[0-9A-Za-z_\-]{35}" + _R),
        lambda m: _random_looking(m[4:]),
    ),
    _Pattern(
        "stripe_secret_key",
        "a Stripe secret key",
        re.compile(_L + r"(?:sk|rk)_live_[0-9A-Za-z]{16,200}" + _R),
        lambda m: _random_looking(m[8:]),
    ),
    _Pattern(
        "private_key",
        "a private key",
        # The BEGIN line, then (after optional headers) a real base64 body: a bare header in a
        # code snippet or a truncated "MIIE..." example is not a key.
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\s*"
            r"(?:[A-Za-z\-]+:[^\n]*\n\s*)*[A-Za-z0-9+/=]{40,}"
        ),
        lambda m: True,
    ),
    _Pattern(
        "jwt",
        "a JSON Web Token (JWT)",
        re.compile(_L + r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}" + _R),
        _jwt_header_ok,
    ),
)

KINDS: dict[str, str] = {p.kind: p.label for p in _PATTERNS}


def scan_all(text: str | None) -> list[Finding]:
    """Every credential in ``text``, in pattern order."""
    if not text:
        return []
    found = []
    for pattern in _PATTERNS:
        for m in pattern.regex.finditer(text):
            if pattern.plausible(m.group(0)):
                found.append(Finding(pattern.kind, pattern.label, m.group(0)))
    return found


def scan(*texts: str | None) -> Finding | None:
    """The first credential in any of ``texts``, or None."""
    for text in texts:
        findings = scan_all(text)
        if findings:
            return findings[0]
    return None


def reef_key_candidates(texts: Iterable[str | None]) -> set[str]:
    """The strings that may be live Reef keys. A key is ``moltbook_sk_`` and 43 URL-safe
    characters, but the match may have swallowed trailing ``-``/``_`` or glued text, so its
    55-character prefix and its trimmed form are tried too."""
    out: set[str] = set()
    for text in texts:
        for finding in scan_all(text):
            if finding.kind == REEF_KEY:
                key = finding.match
                out.update({key, key[:55], key.rstrip("-_")})
    return out
