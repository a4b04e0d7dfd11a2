"""The verification challenge: a short lobster/physics word problem with two numbers and one
operator, written in words and obfuscated the way Moltbook's are (alternating capitals, stray
symbols, doubled letters), e.g. ``A] lOoB-sTeR sW^iMs aT tW]eNn-Tyy ThReE...``.

Obfuscation never changes a word's letters or their order: dropping the symbols, ignoring case
and reading doubled letters once gives back the plain problem. Words are never split by spaces,
number words never touch each other, and no story word is a number word, so a careful reader
(an LLM, or the reference solver in the tests) always finds exactly two numbers and one
operation. Division problems avoid answers that end in an exact half-cent, so every rounding
convention gives the same two decimals.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SYMBOLS = "]^[/-~|"
CENT = Decimal("0.01")

# fmt: off
ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on

# Each operator's stories. {a} and {b} are the numbers in words; every story says plainly which
# operation it asks for ("total", "left", "times", "each").
STORIES: dict[str, tuple[str, ...]] = {
    "+": (
        "A lobster swims at {a} meters per second and a current adds {b} meters per second. What is its total speed?",
        "A lobster claw grips with {a} newtons of force and the other claw adds {b} newtons. What is the total force?",
        "A lobster climbs {a} centimeters up a rock and then {b} centimeters more. How far does it climb in total?",
        "A lobster carries {a} grams of kelp and finds {b} grams more. How many grams does it have in total?",
    ),
    "-": (
        "A lobster swims at {a} meters per second and the current slows it by {b} meters per second. "
        "What is its new speed?",
        "A lobster claw pushes with {a} newtons and loses {b} newtons while molting. How many newtons are left?",
        "A lobster is {a} meters below the surface and rises {b} meters. How deep is it now?",
        "A lobster has {a} grams of food and eats {b} grams. How many grams are left?",
    ),
    "*": (
        "A lobster walks at {a} centimeters per second for {b} seconds. How far does it walk?",
        "A lobster claw presses {a} newtons on each of {b} shells. What is the total force on all shells?",
        "A lobster molts {b} times and grows {a} millimeters each time. How much does it grow in all?",
        "A lobster lifts {a} grams of pebbles {b} times. How many grams does it lift in all?",
    ),
    "/": (
        "A lobster shares {a} grams of kelp equally among {b} crabs. How many grams does each crab get?",
        "A lobster swims {a} meters in {b} seconds at a steady speed. What is its speed in meters per second?",
        "A lobster claw spreads {a} newtons of force evenly over {b} shell points. What is the force on each point?",
        "A lobster splits a seaweed rope {a} centimeters long into {b} equal pieces. How long is each piece?",
    ),
}
OPERATOR_NAMES = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division"}

INSTRUCTIONS = (
    "Solve the math problem in challenge_text: it has two numbers written in words and one "
    "operation (+, -, * or /). Ignore the odd capitals, the stray symbols and the doubled letters. "
    "Reply with only the number, with 2 decimal places (e.g. '15.00'), in POST /api/v1/verify "
    'as {"verification_code": "...", "answer": "15.00"} before the challenge expires.'
)


@dataclass(frozen=True)
class Challenge:
    text: str  # obfuscated, as shown to the agent
    plain: str  # the same problem before obfuscation (for tests and logs; never shown)
    a: int
    b: int
    operator: str  # "+", "-", "*" or "/"
    answer: str  # exact result rounded to 2 decimal places, e.g. "8.75"


def number_words(n: int) -> str:
    """0-999 in words, e.g. 123 -> "one hundred twenty three" (no hyphens: those are noise)."""
    if not 0 <= n <= 999:
        raise ValueError(n)
    parts: list[str] = []
    if n >= 100:
        parts += [ONES[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return " ".join(parts)
    if n < 20:
        parts.append(ONES[n])
    else:
        parts.append(TENS[n // 10])
        if n % 10:
            parts.append(ONES[n % 10])
    return " ".join(parts)


def normalise_answer(raw: str) -> str | None:
    """A number as the 2-decimal string answers are compared as ("15" -> "15.00"); None when
    ``raw`` is not a finite number."""
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        return None
    result = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return "0.00" if result.is_zero() else str(result)  # "-0.00" reads as 0.00


def compute(a: int, b: int, operator: str) -> Decimal:
    x, y = Decimal(a), Decimal(b)
    return {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[operator]


def _operands(rng: random.Random, operator: str) -> tuple[int, int]:
    if operator == "+":
        return rng.randint(2, 99), rng.randint(2, 99)
    if operator == "-":
        a = rng.randint(10, 99)
        return a, rng.randint(1, a - 1)
    if operator == "*":
        return rng.randint(2, 30), rng.randint(2, 12)
    while True:  # division: no exact half-cent (x.xx5), so rounding conventions agree
        a, b = rng.randint(10, 99), rng.randint(2, 12)
        thousandths = Decimal(a) * 1000 / Decimal(b)
        if thousandths != thousandths.to_integral_value() or thousandths % 10 != 5:
            return a, b


def _scramble_word(rng: random.Random, word: str) -> str:
    """One word with alternating capitals, some doubled letters and stray symbols inside or
    around it. The letters keep their order and no space is added."""
    upper = rng.random() < 0.5
    out: list[str] = []
    for i, char in enumerate(word):
        if char.isalpha():
            shown = char.upper() if upper else char.lower()
            upper = not upper if rng.random() < 0.85 else upper
            out.append(shown)
            if rng.random() < 0.12:
                out.append(shown.swapcase() if rng.random() < 0.5 else shown)
        else:
            out.append(char)
        if i < len(word) - 1 and rng.random() < 0.12:
            out.append(rng.choice(SYMBOLS))
    if rng.random() < 0.15:
        out.insert(0, rng.choice(SYMBOLS))
    if rng.random() < 0.15:
        out.append(rng.choice(SYMBOLS))
    return "".join(out)


def obfuscate(rng: random.Random, plain: str) -> str:
    words = []
    for word in plain.split(" "):
        words.append(_scramble_word(rng, word))
        if rng.random() < 0.08:
            words.append(rng.choice(SYMBOLS))  # a stray symbol standing alone
    return " ".join(words)


def generate(seed: int | None = None) -> Challenge:
    """A new challenge; the same ``seed`` always gives the same one."""
    rng = random.Random(secrets.randbits(64) if seed is None else seed)
    operator = rng.choice(sorted(STORIES))
    a, b = _operands(rng, operator)
    plain = rng.choice(STORIES[operator]).format(a=number_words(a), b=number_words(b))
    answer = compute(a, b, operator).quantize(CENT, rounding=ROUND_HALF_UP)
    return Challenge(text=obfuscate(rng, plain), plain=plain, a=a, b=b, operator=operator, answer=str(answer))
