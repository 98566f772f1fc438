"""Net Promoter Score of the national question "Kuinka todennäköisesti suosittelisit…", 0-10."""

import math
from dataclasses import dataclass

from board.privacy import is_too_few

PROMOTER_MIN = 9
DETRACTOR_MAX = 6

_Z95 = 1.96


def nps_group(score: int) -> str:
    """Promoters answer 9-10, passives 7-8, detractors 0-6."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"an NPS answer is an integer 0-10, got {score!r}")
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


@dataclass(frozen=True)
class NpsResult:
    """NPS counts with the score and its 95 % interval, both None when too few answered."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    ci95: tuple[float, float] | None

    @property
    def too_few(self) -> bool:
        """The score is withheld because too few answered."""
        return self.score is None


def nps_score(promoters: int, detractors: int, n: int) -> float:
    """NPS = 100 · (promoters − detractors) / n, from −100 to 100."""
    _check_counts(promoters, detractors, n)
    if n == 0:
        raise ValueError("NPS of zero answers is undefined")
    return 100 * (promoters - detractors) / n


def adjusted_wald_ci95(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Adjusted-Wald 95 % interval of NPS (Rocks 2016): add 3 answers, ¾ promoter and ¾ detractor; clamp to ±100."""
    _check_counts(promoters, detractors, n)
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = 100 * (p - d)
    half_width = _Z95 * 100 * math.sqrt((p + d - (p - d) ** 2) / n_adj)
    return max(-100.0, centre - half_width), min(100.0, centre + half_width)


def nps(*, promoters: int, passives: int, detractors: int, min_n: int) -> NpsResult:
    """NPS with its interval, withheld (None) below `min_n` answers or with none."""
    for count in (promoters, passives, detractors):
        _check_count(count)
    n = promoters + passives + detractors
    if is_too_few(n, min_n):
        return NpsResult(n, promoters, passives, detractors, None, None)
    return NpsResult(
        n,
        promoters,
        passives,
        detractors,
        nps_score(promoters, detractors, n),
        adjusted_wald_ci95(promoters, detractors, n),
    )


def nps_change(current: NpsResult, previous: NpsResult) -> float | None:
    """Change of NPS in points; None unless both periods had enough answers."""
    if current.score is None or previous.score is None:
        return None
    return current.score - previous.score


def _check_count(count: int) -> None:
    if count < 0:
        raise ValueError(f"a count cannot be negative, got {count}")


def _check_counts(promoters: int, detractors: int, n: int) -> None:
    for count in (promoters, detractors, n):
        _check_count(count)
    if promoters + detractors > n:
        raise ValueError(f"{promoters} promoters and {detractors} detractors exceed n={n}")
