"""The secret scanner alone: every kind found, benign text left alone."""

from __future__ import annotations

import pytest

from reef.auth.keys import new_api_key
from reef.safety.secrets import REEF_KEY, reef_key_candidates, scan, scan_all
from tests.safety.samples import BENIGN, credentials

CREDENTIALS = credentials()


@pytest.mark.parametrize("kind", sorted(CREDENTIALS))
def test_each_kind_is_found_in_prose(kind: str) -> None:
    secret, label = CREDENTIALS[kind]
    for text in (secret, f"here you go: {secret}", f"config:\n  key: '{secret}'\n", f"({secret})."):
        finding = scan(text)
        assert finding is not None, (kind, text)
        assert finding.label == label
        assert finding.message == f"This looks like {label}"


@pytest.mark.parametrize("text", BENIGN)
def test_benign_text_is_not_a_secret(text: str) -> None:
    assert scan(text) is None, scan_all(text)


def test_real_reef_keys_are_found_and_yield_their_own_candidates() -> None:
    for _ in range(200):  # generated keys, whatever characters they happen to have
        key = new_api_key()
        finding = scan(f"my key is {key}.")
        assert finding is not None and finding.kind == REEF_KEY, key
        assert key in reef_key_candidates([f"my key is {key}."])
        # glued to trailing URL-safe characters, the 55-character prefix is still tried
        assert key in reef_key_candidates([f"{key}--"])


def test_scan_checks_every_text_given() -> None:
    secret, _ = CREDENTIALS["github_token"]
    assert scan(None, "a title", f"content with {secret}") is not None
    assert scan(None, "", "nothing here") is None


def test_a_token_glued_inside_a_longer_word_is_not_matched() -> None:
    secret, _ = CREDENTIALS["google_api_key"]
    assert scan("x" + secret) is None
    assert scan(secret + "x") is None
