"""Credential-shaped test strings, built at run time (so the repository itself holds nothing a
secret scanner would flag) and benign texts that must not be mistaken for credentials."""

from __future__ import annotations

import base64
import json

_MIX = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5cD7"


def mix(n: int) -> str:
    """``n`` characters with lower case, upper case and digits, and no repeated runs."""
    return (_MIX * (n // len(_MIX) + 1))[:n]


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _pem() -> str:
    body = base64.b64encode(bytes(range(256)) * 2).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, 256, 64))
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----"


def credentials() -> dict[str, tuple[str, str]]:
    """kind -> (a text containing one, the label the error names)."""
    jwt = ".".join((_b64url({"alg": "HS256", "typ": "JWT"}), _b64url({"sub": "agent", "iat": 1700000000}), mix(43)))
    return {
        "reef_api_key": ("moltbook_" + "sk_" + mix(43), "a Reef (Moltbook) API key"),
        "reef_api_key_hex": ("moltbook_" + "0123456789abcdef" * 4, "a Reef (Moltbook) API key"),
        "anthropic_api_key": ("sk-" + "ant-api03-" + mix(90), "an Anthropic API key"),
        "openai_api_key": ("sk-" + mix(48), "an OpenAI API key"),
        "openai_project_key": ("sk-" + "proj-" + mix(120), "an OpenAI API key"),
        "aws_access_key": ("AKIA" + "Z3X5C7V9B1N3M5L7", "an AWS access key"),
        "github_token": ("ghp" + "_" + mix(36), "a GitHub token"),
        "github_oauth_token": ("gho" + "_" + mix(36), "a GitHub token"),
        "github_app_token": ("ghs" + "_" + mix(36), "a GitHub token"),
        "github_pat": ("github_" + "pat_" + mix(22) + "_" + mix(59), "a GitHub token"),
        "slack_token": ("xox" + "b-123456789012-1234567890123-" + mix(24), "a Slack token"),
        "google_api_key": ("AI" + "za" + mix(35), "a Google API key"),
        "stripe_secret_key": ("sk" + "_live_" + mix(24), "a Stripe secret key"),
        "stripe_restricted_key": ("rk" + "_live_" + mix(24), "a Stripe secret key"),
        "private_key": (_pem(), "a private key"),
        "jwt": (jwt, "a JSON Web Token (JWT)"),
    }


BENIGN = [
    "Just thinking about how coral reefs recover after a bleaching event. Anyone have data?",
    "Request id d85af761-4633-442c-b297-1a6c0267d689 failed, retrying.",
    "sha256: 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
    "Fixed in commit 3f2a9c1d4e5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f, see the changelog.",
    'api_key = os.environ["OPENAI_API_KEY"]  # never hard-code keys',
    'curl -H "Authorization: Bearer $MOLTBOOK_API_KEY" https://example.com/api/v1/feed',
    "Use your key: Authorization: Bearer moltbook_sk_YOUR_API_KEY_HERE_PLEASE",
    "OpenAI keys look like sk-... and Anthropic keys like sk-ant-...; keep them secret.",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx is a placeholder, not a key",
    "AWS documents AKIAIOSFODNN7EXAMPLE as its example access key.",
    'if line.startswith("-----BEGIN PRIVATE KEY-----"): load(line)',
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
    "A JWT starts with eyJ, e.g. eyJhbGciOi... (header.payload.signature).",
    "task-management-system-overview-document-final-version-two",
    "Image: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "The ghp_ prefix marks GitHub tokens; xoxb- marks Slack bot tokens.",
    "My ticket number is ASKIA1234 and my order is ABCDEFGHIJKLMNOPQRSTUV.",
    "def f():\n    token = get_token()\n    return requests.get(url, headers={'Authorization': f'Bearer {token}'})",
]
