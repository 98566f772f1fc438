"""Pooling a tree's counts: a node's figures are its own counts plus every descendant's, done with array sums
(numpy) so that a roll-up of a thousand nodes costs a few array operations instead of a Python loop per count."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tree:
    """Nodes by position; `parent[i]` is the position of node i's parent, -1 for a top node."""

    parent: np.ndarray
    depth: np.ndarray

    @property
    def size(self) -> int:
        """How many nodes the tree has."""
        return len(self.parent)

    def ancestors(self) -> np.ndarray:
        """Row i: node i, its parent, its grandparent … up to its top node, then -1s."""
        height = int(self.depth.max(initial=0)) + 1
        found = np.full((self.size, height), -1, dtype=np.int64)
        found[:, 0] = np.arange(self.size)
        for k in range(1, height):
            above = found[:, k - 1]
            known = above >= 0
            found[known, k] = self.parent[above[known]]
        return found


def tree_of(parents: Sequence[int]) -> Tree:
    """The tree whose node i has the parent at position parents[i] (-1 for a top node); a cycle is refused."""
    parent = np.asarray(parents, dtype=np.int64).reshape(-1)
    depth = np.zeros(len(parent), dtype=np.int64)
    for i in range(len(parent)):
        seen, node = 0, parent[i]
        while node >= 0:
            seen += 1
            if seen > len(parent):
                raise ValueError("the parents form a cycle")
            node = parent[node]
        depth[i] = seen
    return Tree(parent, depth)


def pooled_sums(tree: Tree, counts: np.ndarray) -> np.ndarray:
    """Row i of the result is row i of `counts` plus the rows of all of node i's descendants."""
    pooled = np.array(counts, dtype=np.int64, copy=True)
    for level in range(int(tree.depth.max(initial=0)), 0, -1):
        # Deepest first: a node's row is complete (its children added) before it is added to its parent.
        at = np.flatnonzero(tree.depth == level)
        np.add.at(pooled, tree.parent[at], pooled[at])
    return pooled


def pooled_medians(tree: Tree, node: Sequence[int], bucket: Sequence[int], count: Sequence[int],
                   below: int) -> tuple[list[float | None], list[int]]:
    """Per node, from histograms given as rows (node, whole-number bucket, count) pooled over each subtree: the
    median (board.rollup.histogram_median: the mean of the two middle values when even; None when empty) and the
    count in buckets below `below`."""
    node = np.asarray(node, dtype=np.int64)
    bucket = np.asarray(bucket, dtype=np.int64)
    count = np.asarray(count, dtype=np.int64)
    if (count < 0).any():
        raise ValueError("a histogram count cannot be negative")
    # Every row counts for its node and for each of the node's ancestors.
    owners = tree.ancestors()[node]
    keep = owners >= 0
    owner = owners[keep]
    width = owners.shape[1]
    bucket = np.repeat(bucket, width).reshape(-1, width)[keep]
    count = np.repeat(count, width).reshape(-1, width)[keep]
    if not len(owner):
        return [None] * tree.size, [0] * tree.size
    order = np.lexsort((bucket, owner))
    owner, bucket, count = owner[order], bucket[order], count[order]
    running = np.cumsum(count)
    nodes = np.arange(tree.size)
    first = np.searchsorted(owner, nodes, side="left")
    after = np.searchsorted(owner, nodes, side="right")
    before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0)
    total = np.where(after > first, running[np.maximum(after - 1, 0)] - before, 0)
    medians: list[float | None] = [None] * tree.size
    answered = np.flatnonzero(total > 0)
    if len(answered):
        # The values at ranks ⌈total/2⌉ and ⌊total/2⌋+1 (the same one when total is odd), counted from 1.
        low = bucket[np.searchsorted(running, before[answered] + (total[answered] + 1) // 2, side="left")]
        high = bucket[np.searchsorted(running, before[answered] + total[answered] // 2 + 1, side="left")]
        for i, value in zip(answered.tolist(), ((low + high) / 2).tolist()):
            medians[i] = value
    under = np.zeros(tree.size, dtype=np.int64)
    short = bucket < below
    np.add.at(under, owner[short], count[short])
    return medians, under.tolist()
