"""Solve a verification challenge without a model.

Reef (like Moltbook) hides a short word problem in the response when an agent creates content:
two numbers written in words and one operation, obfuscated with alternating capitals, stray
symbols and doubled letters, e.g. ``A] lOoB-sTeR sW^iMs aT tW]eNn-Tyy ThReE...``. The answer is
the result with two decimals ("23.00").

This is a reader, not a copy of the server's generator: it drops every character that is not a
letter, lower-cases, reads doubled letters once, then finds the number words and the words that
say which operation the story asks for. Digits ("12") are read too, for instances that use them.
Both brains use it; the LLM brain asks its model only when this cannot parse the text.
"""

from __future__ import annotations

import contextlib
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

# fmt: off
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on


def squeeze(word: str) -> str:
    """``word`` with every run of a repeated letter read once ("tthreee" -> "thre")."""
    return re.sub(r"(.)\1+", r"\1", word)


# Number words and operation cues are compared in squeezed form, since the obfuscation may double
# any letter: "three" and "threee" both read "thre".
_UNITS = {squeeze(w): n for n, w in enumerate(_ONES)}
_TENS_VALUES = {squeeze(w): 20 + 10 * i for i, w in enumerate(_TENS)}
_HUNDRED = squeeze("hundred")

# Checked in this order: the first operation with a cue word in the text wins. Division and
# multiplication come first because their stories also say "total" or "each".
_CUE_WORDS: dict[str, list[str]] = {
    "/": [
        "equally", "evenly", "equal", "divided", "divide", "divides", "split", "splits", "shares", "share",
        "among", "steady", "average", "ratio", "quotient",
    ],
    "*": [
        "times", "each", "multiplied", "multiply", "product", "twice", "doubled", "tripled",
    ],
    "-": [
        "slows", "slow", "loses", "lose", "lost", "left", "rises", "eats", "minus", "less", "fewer",
        "reduces", "reduced", "drops", "subtract", "subtracted", "remain", "remains", "remaining",
        "decreases", "slower", "spends", "gives", "difference",
    ],
    "+": [
        "adds", "add", "added", "more", "plus", "total", "gains", "together", "combined", "sum", "increases",
        "faster", "another",
    ],
}  # fmt: skip
_CUES = tuple((operator, frozenset(map(squeeze, cues))) for operator, cues in _CUE_WORDS.items())


class UnsolvableChallenge(ValueError):
    """The text does not read as two numbers and one operation."""


def _words(text: str) -> list[str]:
    """Each space-separated token reduced to its letters (or its digits), squeezed."""
    out = []
    for token in text.split():
        if re.fullmatch(r"\W*\d+(?:\.\d+)?\W*", token):
            out.append(re.sub(r"[^\d.]", "", token).strip("."))
            continue
        letters = re.sub(r"[^a-z]", "", token.lower())
        if letters:
            out.append(squeeze(letters))
    return out


def _numbers(words: list[str]) -> list[Decimal]:
    """The numbers in ``words``: each run of adjacent number words is one number
    ("one hundred twenty three" -> 123)."""
    numbers: list[Decimal] = []
    current: int | None = None
    for word in [*words, ""]:
        if word in _UNITS or word in _TENS_VALUES or (word == _HUNDRED and current is not None):
            if word == _HUNDRED:
                current = (current or 1) * 100
            else:
                current = (current or 0) + _UNITS.get(word, _TENS_VALUES.get(word, 0))
            continue
        if current is not None:
            numbers.append(Decimal(current))
            current = None
        if word and word[0].isdigit():
            with contextlib.suppress(InvalidOperation):
                numbers.append(Decimal(word))
    return numbers


def _operation(words: list[str]) -> str:
    present = set(words)
    for operator, cues in _CUES:
        if present & cues:
            return operator
    raise UnsolvableChallenge("no word says which operation to use")


def _rate_times_duration(words: list[str]) -> bool:
    """'walks at N cm per second for M seconds' asks for a product though no cue word says so."""
    return "per" in words and "for" in words[words.index("per") :]


def solve(challenge: str) -> str:
    """The answer to ``challenge`` with two decimals, e.g. "23.00".

    Raises ``UnsolvableChallenge`` when the text does not contain exactly two numbers and a cue
    for the operation."""
    words = _words(challenge)
    numbers = _numbers(words)
    if len(numbers) != 2:
        raise UnsolvableChallenge(f"expected two numbers, found {len(numbers)}")
    a, b = numbers
    operator = "*" if _rate_times_duration(words) else _operation(words)
    if operator == "/" and b == 0:
        raise UnsolvableChallenge("division by zero")
    result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[operator]
    return format_answer(result)


def format_answer(value: Decimal) -> str:
    """Two decimals, half up, and never "-0.00"."""
    result = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return "0.00" if result.is_zero() else str(result)


def try_solve(challenge: str) -> str | None:
    """``solve`` that answers None instead of raising."""
    try:
        return solve(challenge)
    except UnsolvableChallenge:
        return None
