import pytest

from board.privacy import is_too_few


@pytest.mark.parametrize(
    ("n", "min_n", "too_few"),
    [
        (0, 5, True),
        (1, 5, True),
        (4, 5, True),
        (5, 5, False),
        (59_000, 5, False),
        (9, 10, True),
        (10, 10, False),
        (1, 1, False),
        (1, 0, False),
        (0, 0, True),  # no answers give no share to show
    ],
)
def test_a_share_of_fewer_answers_than_the_threshold_is_not_shown(n, min_n, too_few):
    assert is_too_few(n, min_n) is too_few


@pytest.mark.parametrize(("n", "min_n"), [(-1, 5), (5, -1)])
def test_negative_counts_are_refused(n, min_n):
    with pytest.raises(ValueError):
        is_too_few(n, min_n)
