"""Is a change real? The 95 % interval of a difference between two periods, and whether it excludes zero."""

import math
from dataclasses import dataclass

from board.nps import NpsResult

_Z95 = 1.96


@dataclass(frozen=True)
class Difference:
    """A change between two periods (points) with its 95 % interval."""

    change: float
    lo: float
    hi: float

    @property
    def significant(self) -> bool:
        """The change is statistically meaningful: its 95 % interval excludes zero."""
        return self.lo > 0 or self.hi < 0


def nps_variance(promoters: int, detractors: int, n: int) -> float:
    """Var(NPS) = 100² · (p + d − (p − d)²) / n on adjusted-Wald counts (n + 3, ¾ added to promoters and detractors)."""
    if n < 0 or promoters < 0 or detractors < 0 or promoters + detractors > n:
        raise ValueError(f"impossible NPS counts: {promoters} promoters, {detractors} detractors, n={n}")
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    return 100 ** 2 * (p + d - (p - d) ** 2) / n_adj


def nps_difference(current: NpsResult, previous: NpsResult) -> Difference | None:
    """NPS change between periods with its 95 % interval; None unless both periods had enough answers."""
    if current.score is None or previous.score is None:
        return None
    change = current.score - previous.score
    half = _Z95 * math.sqrt(nps_variance(current.promoters, current.detractors, current.n)
                            + nps_variance(previous.promoters, previous.detractors, previous.n))
    return Difference(change, change - half, change + half)


def proportion_difference(agreeing: int, n: int, agreeing_before: int, n_before: int,
                          *, min_n: int) -> Difference | None:
    """Change of a share in percentage points, 95 % interval by Agresti-Caffo (one success and one failure added to each); None below min_n."""
    for x, m in ((agreeing, n), (agreeing_before, n_before)):
        if x < 0 or x > m:
            raise ValueError(f"{x} agreeing of {m} is impossible")
    if n == 0 or n_before == 0 or n < min_n or n_before < min_n:
        return None
    change = 100 * (agreeing / n - agreeing_before / n_before)
    p1, p2 = (agreeing + 1) / (n + 2), (agreeing_before + 1) / (n_before + 2)
    centre = 100 * (p1 - p2)
    half = _Z95 * 100 * math.sqrt(p1 * (1 - p1) / (n + 2) + p2 * (1 - p2) / (n_before + 2))
    return Difference(change, centre - half, centre + half)
