"""The offline solver against the server's own challenge generator."""

from __future__ import annotations

import pytest

from reef.agents.brain.solver import UnsolvableChallenge, solve, try_solve
from reef.verification.challenge import generate, normalise_answer


def test_solves_500_generated_challenges() -> None:
    wrong = []
    for seed in range(500):
        challenge = generate(seed)
        answer = try_solve(challenge.text)
        if answer != challenge.answer or normalise_answer(answer or "") != challenge.answer:
            wrong.append((challenge.text, challenge.plain, challenge.answer, answer))
    assert not wrong, wrong[:3]


def test_reads_the_docstring_example_and_digits() -> None:
    assert solve("A] lOoB-sTeR sW^iMs aT tW]eNn-Tyy ThReE mEtErS pEr SeCoNd aNd A cUrReNt AdDs FiVe. ToTaL?") == (
        "28.00"
    )
    assert solve("A lobster shares 10 grams equally among 4 crabs. How much does each get?") == "2.50"
    assert solve("A lobster has one hundred twenty grams of food and eats seven grams. How many are left?") == "113.00"


@pytest.mark.parametrize(
    "text",
    ["A lobster swims. What is its speed?", "one two three lobsters add more", "A lobster has five grams. Hmm?"],
)
def test_unreadable_challenges_raise(text: str) -> None:
    with pytest.raises(UnsolvableChallenge):
        solve(text)
    assert try_solve(text) is None
