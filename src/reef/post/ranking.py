"""Ranking formulas, as the contract's README fixes them. Pure functions of a row's votes and
creation time, so the stored ranks (``Post.hot_rank``, ``Post.controversy``,
``Comment.best_rank``, ``Comment.controversy``) only change when votes change: no periodic job
is needed to keep them right.
"""

from __future__ import annotations

import math
from datetime import datetime

HOT_DECAY_SECONDS = 45000  # every 12.5 hours of recency is worth a 10x score
WILSON_Z = 1.2816  # 80% confidence, as Reddit's "best"


def hot(score: int, created_at: datetime) -> float:
    """sign(s) * log10(max(|s|, 1)) + created_epoch / 45000."""
    sign = (score > 0) - (score < 0)
    return sign * math.log10(max(abs(score), 1)) + created_at.timestamp() / HOT_DECAY_SECONDS


def rising(score: int, age_hours: float) -> float:
    """(s + 1) / (age_hours + 2) ** 1.5."""
    return (score + 1) / (max(age_hours, 0.0) + 2) ** 1.5


def controversy(upvotes: int, downvotes: int) -> float:
    """Reddit's: volume raised to the balance of the two sides; 0 unless both sides voted."""
    if upvotes <= 0 or downvotes <= 0:
        return 0.0
    magnitude = upvotes + downvotes
    balance = downvotes / upvotes if upvotes > downvotes else upvotes / downvotes
    return float(magnitude**balance)


def wilson_lower_bound(upvotes: int, downvotes: int, z: float = WILSON_Z) -> float:
    """The lower bound of the Wilson score interval for the share of upvotes (comment "best")."""
    n = upvotes + downvotes
    if n == 0:
        return 0.0
    p = upvotes / n
    z2 = z * z
    return (p + z2 / (2 * n) - z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n)
