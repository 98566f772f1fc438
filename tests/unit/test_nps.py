import pytest

from board.nps import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    NpsResult,
    adjusted_wald_ci95,
    nps,
    nps_change,
    nps_group,
    nps_score,
)


@pytest.mark.parametrize(
    ("score", "group"),
    [
        (0, "detractor"),
        (5, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_nps_group_follows_the_national_bands(score, group):
    assert nps_group(score) == group


def test_the_band_limits_are_9_and_6():
    assert (PROMOTER_MIN, DETRACTOR_MAX) == (9, 6)


@pytest.mark.parametrize("score", [-1, 11, 7.0, "9", True, False, None])
def test_nps_group_refuses_anything_but_an_integer_from_0_to_10(score):
    with pytest.raises(ValueError):
        nps_group(score)


@pytest.mark.parametrize(
    ("promoters", "detractors", "n", "expected"),
    [
        (6, 2, 10, 40.0),
        (10, 0, 10, 100.0),
        (0, 10, 10, -100.0),
        (0, 0, 10, 0.0),
        (1, 2, 3, -100 / 3),
        (68, 0, 100, 68.0),
    ],
)
def test_nps_score_is_promoter_share_minus_detractor_share_unrounded(promoters, detractors, n, expected):
    assert nps_score(promoters, detractors, n) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("promoters", "detractors", "n"), [(0, 0, 0), (6, 5, 10), (-1, 0, 5), (1, 0, -1)])
def test_nps_score_refuses_impossible_counts(promoters, detractors, n):
    with pytest.raises(ValueError):
        nps_score(promoters, detractors, n)


@pytest.mark.parametrize(
    ("promoters", "detractors", "n", "low", "high"),
    [
        # 6 promoters, 2 passives, 2 detractors: n' = 13, p' = 6.75/13 = 0.519231, d' = 2.75/13 = 0.211538,
        # centre = 100·4/13 = 30.7692; p'+d' = 9.5/13 = 0.730769, (p'−d')² = 16/169 = 0.094675,
        # half-width = 196·√(0.636095/13) = 196·0.221202 = 43.3556 -> (−12.5864, 74.1248).
        (6, 2, 10, -12.5864, 74.1248),
        # 3 promoters, 1 passive, 1 detractor: n' = 8, p' = 3.75/8 = 0.46875, d' = 1.75/8 = 0.21875,
        # centre 25; half-width = 196·√((0.6875 − 0.0625)/8) = 196·0.279508 = 54.7837.
        (3, 1, 5, -29.7837, 79.7837),
        # 1 promoter of 1: n' = 4, p' = 0.4375, d' = 0.1875, centre 25,
        # half-width = 196·√((0.625 − 0.0625)/4) = 196·0.375 = 73.5.
        (1, 0, 1, -48.5, 98.5),
        # 50 promoters of 50: n' = 53, p' = 50.75/53, d' = 0.75/53, centre = 100·50/53 = 94.3396,
        # half-width = 196·√((51.5/53 − (50/53)²)/53) = 196·0.039263 = 7.6955; 102.0351 is clamped to 100.
        (50, 0, 50, 86.6442, 100.0),
        # 50 detractors of 50 mirrors it: −102.0351 is clamped to −100.
        (0, 50, 50, -100.0, -86.6442),
    ],
)
def test_adjusted_wald_interval_matches_hand_computation(promoters, detractors, n, low, high):
    assert adjusted_wald_ci95(promoters, detractors, n) == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize(
    ("promoters", "detractors", "n"), [(1000, 0, 1000), (0, 1000, 1000), (5, 0, 5), (500, 500, 1000)]
)
def test_adjusted_wald_interval_stays_within_plus_minus_100(promoters, detractors, n):
    low, high = adjusted_wald_ci95(promoters, detractors, n)
    assert -100.0 <= low < high <= 100.0


def test_adjusted_wald_interval_narrows_as_answers_grow():
    small = adjusted_wald_ci95(6, 2, 10)
    large = adjusted_wald_ci95(600, 200, 1000)
    assert large[1] - large[0] < (small[1] - small[0]) / 5


def test_nps_of_enough_answers_has_a_score_and_an_interval():
    result = nps(promoters=6, passives=2, detractors=2, min_n=5)
    assert result == NpsResult(
        n=10, promoters=6, passives=2, detractors=2, score=40.0, ci95=adjusted_wald_ci95(6, 2, 10)
    )
    assert result.ci95 == pytest.approx((-12.5864, 74.1248), abs=1e-4)
    assert not result.too_few


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors", "min_n", "too_few"),
    [
        (2, 1, 1, 5, True),
        (3, 1, 1, 5, False),
        (9, 0, 0, 10, True),
        (10, 0, 0, 10, False),
        (0, 0, 0, 0, True),
        (0, 0, 0, 5, True),
        (1, 0, 0, 0, False),
        (1, 0, 0, 1, False),
    ],
)
def test_nps_is_withheld_below_the_small_n_threshold_and_without_answers(
    promoters, passives, detractors, min_n, too_few
):
    result = nps(promoters=promoters, passives=passives, detractors=detractors, min_n=min_n)
    assert result.n == promoters + passives + detractors
    assert result.too_few is too_few
    assert (result.score is None) is too_few
    assert (result.ci95 is None) is too_few


def test_a_withheld_nps_still_reports_its_counts():
    result = nps(promoters=2, passives=1, detractors=1, min_n=5)
    assert (result.n, result.promoters, result.passives, result.detractors) == (4, 2, 1, 1)


@pytest.mark.parametrize(("promoters", "passives", "detractors"), [(-1, 2, 2), (2, -1, 2), (2, 2, -1)])
def test_nps_refuses_negative_counts(promoters, passives, detractors):
    with pytest.raises(ValueError):
        nps(promoters=promoters, passives=passives, detractors=detractors, min_n=0)


@pytest.mark.parametrize(
    ("current", "previous", "change"),
    [
        ((6, 2, 2), (5, 3, 2), 10.0),
        ((5, 3, 2), (6, 2, 2), -10.0),
        ((6, 2, 2), (6, 2, 2), 0.0),
        ((6, 2, 2), (1, 1, 1), None),
        ((1, 1, 1), (6, 2, 2), None),
    ],
)
def test_nps_change_is_the_difference_of_scores_when_both_have_enough_answers(current, previous, change):
    def result(counts):
        promoters, passives, detractors = counts
        return nps(promoters=promoters, passives=passives, detractors=detractors, min_n=5)

    assert nps_change(result(current), result(previous)) == (None if change is None else pytest.approx(change))
