from __future__ import annotations

import math
from datetime import UTC, datetime

from reef.post import ranking

T0 = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def test_hot_matches_the_contract_formula() -> None:
    epoch = T0.timestamp()
    assert ranking.hot(0, T0) == epoch / 45000
    assert math.isclose(ranking.hot(100, T0), 2 + epoch / 45000)
    assert math.isclose(ranking.hot(-10, T0), -1 + epoch / 45000)
    assert ranking.hot(1, T0) == ranking.hot(0, T0) == ranking.hot(-1, T0)


def test_hot_trades_ten_times_the_score_for_12_5_hours() -> None:
    later = datetime.fromtimestamp(T0.timestamp() + 45000, UTC)
    assert math.isclose(ranking.hot(10, T0), ranking.hot(1, later))


def test_rising() -> None:
    assert ranking.rising(0, 0) == 1 / 2**1.5
    assert math.isclose(ranking.rising(9, 2), 10 / 4**1.5)


def test_controversy_is_zero_unless_both_sides_voted() -> None:
    assert ranking.controversy(10, 0) == 0 and ranking.controversy(0, 3) == 0
    assert ranking.controversy(5, 5) == 10.0
    assert math.isclose(ranking.controversy(10, 5), 15**0.5)
    assert ranking.controversy(5, 5) > ranking.controversy(50, 1)


def test_wilson_prefers_more_evidence() -> None:
    assert ranking.wilson_lower_bound(0, 0) == 0
    assert ranking.wilson_lower_bound(10, 0) > ranking.wilson_lower_bound(1, 0)
    assert ranking.wilson_lower_bound(100, 10) > ranking.wilson_lower_bound(10, 1)
    assert 0 < ranking.wilson_lower_bound(1, 1) < 0.5
