import pytest

from board.privacy import is_too_few, suppressed_siblings


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


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 40, "b": 12, "c": 30}, set()),
        ({"a": 40, "b": 3, "c": 30}, {"b", "c"}),  # the next smallest goes too
        ({"a": 40, "b": 3, "c": 2}, {"b", "c"}),  # two hidden can't be told apart
        ({"a": 40, "b": 3, "c": 0}, {"a", "b"}),  # an empty sibling hides nothing
        ({"a": 3}, {"a"}),
        ({"a": 0, "b": 0}, set()),
        ({"a": 7, "b": 4, "c": 7}, {"a", "b"}),  # a tie takes one, in a stable order
        ({}, set()),
    ],
)
def test_when_one_sibling_is_hidden_the_next_smallest_is_hidden_too(counts, hidden):
    assert suppressed_siblings(counts, 5) == hidden
