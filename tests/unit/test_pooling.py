"""Pooling a tree's counts with arrays gives exactly what adding node by node gives (board/pooling.py)."""
import random

import numpy as np
import pytest

from board.pooling import pooled_medians, pooled_sums, tree_of
from board.rollup import histogram_median, pooled_histogram

#        0
#      /   \
#     1     2
#    / \     \
#   3   4     5
PARENTS = [-1, 0, 0, 1, 1, 2]


def _subtree(parents, node):
    found = [node]
    for child, parent in enumerate(parents):
        if parent == node:
            found += _subtree(parents, child)
    return found


def _random_parents(rng: random.Random, size: int) -> list[int]:
    return [-1] + [rng.randrange(i) for i in range(1, size)]  # every node below an earlier one


def test_a_nodes_pooled_row_is_its_own_plus_its_descendants():
    counts = np.array([[1, 0], [2, 1], [3, 0], [4, 2], [5, 0], [6, 3]])
    pooled = pooled_sums(tree_of(PARENTS), counts)
    assert pooled.tolist() == [[21, 6], [11, 3], [9, 3], [4, 2], [5, 0], [6, 3]]
    assert counts.tolist()[0] == [1, 0]  # the input is left as it was


def test_parents_that_go_round_in_a_cycle_are_refused():
    with pytest.raises(ValueError):
        tree_of([1, 0])


def test_a_parents_median_pools_its_childrens_histograms():
    medians, under = pooled_medians(tree_of(PARENTS), node=[3, 4, 4, 5], bucket=[1, 10, 20, 7], count=[3, 1, 1, 2],
                                    below=8)
    assert medians == [7.0, 1.0, 7.0, 1.0, 15.0, 7.0]
    assert under == [5, 3, 2, 3, 0, 2]


def test_no_histogram_rows_means_no_median():
    assert pooled_medians(tree_of(PARENTS), node=[], bucket=[], count=[], below=5) == ([None] * 6, [0] * 6)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        pooled_medians(tree_of(PARENTS), node=[1], bucket=[3], count=[-1], below=5)


@pytest.mark.parametrize("seed", range(20))
def test_array_pooling_equals_adding_node_by_node(seed):
    rng = random.Random(seed)
    parents = _random_parents(rng, rng.randrange(1, 40))
    rows = [(rng.randrange(len(parents)), rng.choice((0, 1, 2, 335, 336, 400, rng.randrange(5000))),
             rng.choice((0, 1, 1, 2, 7))) for _ in range(rng.randrange(0, 200))]
    own = [{} for _ in parents]
    for node, bucket, count in rows:
        own[node][bucket] = own[node].get(bucket, 0) + count
    medians, under = pooled_medians(tree_of(parents), node=[r[0] for r in rows], bucket=[r[1] for r in rows],
                                    count=[r[2] for r in rows], below=336)
    counts = np.array([[rng.randrange(100) for _ in range(3)] for _ in parents])
    pooled = pooled_sums(tree_of(parents), counts).tolist()
    for node in range(len(parents)):
        members = _subtree(parents, node)
        histogram = pooled_histogram(*(own[m] for m in members))
        assert medians[node] == histogram_median(histogram)
        assert under[node] == sum(c for b, c in histogram.items() if b < 336)
        assert pooled[node] == [sum(counts[m][k] for m in members) for k in range(3)]
