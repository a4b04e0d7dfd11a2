"""The challenge generator: deterministic per seed, obfuscated only in ways a careful reader can
undo, and always solvable. A reference solver (de-obfuscate, then parse) must solve 500 of them."""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from reef.verification.challenge import ONES, SYMBOLS, TENS, generate, normalise_answer, number_words


def collapse(word: str) -> str:
    """Doubled letters read once: "tTWwoO" -> "two"."""
    return re.sub(r"(.)\1+", r"\1", word)


def deobfuscate(text: str) -> list[str]:
    """Lower-case letters only, doubled letters read once, symbol-only tokens dropped."""
    words = (collapse(re.sub(r"[^a-z]", "", token.lower())) for token in text.split())
    return [w for w in words if w]


UNITS = {collapse(w): n for n, w in enumerate(ONES)}
DECADES = {collapse(w): n * 10 for n, w in enumerate(TENS) if w}
# The operation's wording, looked for in this order (a product's story may also say "total").
CUES = [
    ("/", ("equally", "evenly", "splits", "steady")),
    ("*", ("times", "each of", "second for")),
    ("-", ("slows", "loses", "rises", "left")),
    ("+", ("adds", "more", "total")),
]


def read_numbers(words: list[str]) -> list[int]:
    numbers: list[int] = []
    current: int | None = None
    for word in words:
        if word in UNITS or word in DECADES:
            current = (current or 0) + UNITS.get(word, DECADES.get(word, 0))
        elif word == "hundred" and current is not None:
            current *= 100
        elif current is not None:
            numbers.append(current)
            current = None
    if current is not None:
        numbers.append(current)
    return numbers


def solve(text: str) -> str:
    """Answer a challenge the way an agent must: undo the noise, find two numbers and the
    operation, compute, give 2 decimal places."""
    words = deobfuscate(text)
    numbers = read_numbers(words)
    assert len(numbers) == 2, (text, words, numbers)
    sentence = " ".join(words)
    operator = next(op for op, cues in CUES if any(collapse(cue) in sentence for cue in cues))
    a, b = (Decimal(n) for n in numbers)
    result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[operator]
    return str(result.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_the_reference_solver_solves_500_challenges() -> None:
    operators: Counter[str] = Counter()
    for seed in range(500):
        challenge = generate(seed)
        assert solve(challenge.text) == challenge.answer, (seed, challenge)
        operators[challenge.operator] += 1
    assert set(operators) == {"+", "-", "*", "/"} and min(operators.values()) > 60, operators


def test_obfuscation_keeps_every_letter_in_order() -> None:
    for seed in range(200):
        challenge = generate(seed)
        assert deobfuscate(challenge.text) == deobfuscate(challenge.plain), seed
        assert challenge.text != challenge.plain


def test_challenges_look_like_moltbooks() -> None:
    texts = [generate(seed).text for seed in range(100)]
    for text in texts:
        assert not re.search(r"\d", text), text  # numbers only in words
        assert set(re.sub(r"[A-Za-z ]", "", text)) <= set(SYMBOLS) | {"?", "."}, text
        assert re.search(r"[a-z][A-Z]|[A-Z][a-z]", text)  # alternating capitals
    joined = "".join(texts)
    assert all(symbol in joined for symbol in SYMBOLS)
    assert any(re.search(r"([A-Za-z])\1", t.lower()) and "lobster" in " ".join(deobfuscate(t)) for t in texts)


def test_same_seed_same_challenge_and_answers_have_two_decimals() -> None:
    assert generate(42) == generate(42)
    assert generate(42) != generate(43)
    assert len({generate().text for _ in range(20)}) == 20  # unseeded: fresh randomness each time
    for seed in range(300):
        answer = generate(seed).answer
        assert re.fullmatch(r"-?\d+\.\d\d", answer), answer


def test_division_never_lands_on_a_half_cent() -> None:
    """Rounding half up or half to even must give the same answer, so no answer is ambiguous."""
    for seed in range(500):
        c = generate(seed)
        if c.operator == "/":
            exact = Decimal(c.a) / Decimal(c.b)
            assert (exact * 1000) % 10 != 5 or exact * 1000 != (exact * 1000).to_integral_value(), c


def test_number_words() -> None:
    assert number_words(0) == "zero"
    assert number_words(7) == "seven"
    assert number_words(20) == "twenty"
    assert number_words(23) == "twenty three"
    assert number_words(100) == "one hundred"
    assert number_words(999) == "nine hundred ninety nine"
    for n in range(1000):
        assert read_numbers([collapse(w) for w in number_words(n).split()]) == [n]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15", "15.00"),
        ("15.0", "15.00"),
        ("15.00", "15.00"),
        (" 15.000 ", "15.00"),
        ("+15", "15.00"),
        ("8.755", "8.76"),
        ("3.2857142", "3.29"),
        ("-0.001", "0.00"),
        ("-4.5", "-4.50"),
        ("1e1", "10.00"),
        ("abc", None),
        ("", None),
        ("NaN", None),
        ("Infinity", None),
        ("1e999", None),
        ("15,00", None),
    ],
)
def test_normalise_answer(raw: str, expected: str | None) -> None:
    assert normalise_answer(raw) == expected
