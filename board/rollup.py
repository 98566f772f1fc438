"""Roll-up rules that need no database: small-number suppression down the tree, pooled medians."""

from collections.abc import Mapping

from board.privacy import suppressed_siblings


def suppressed_nodes(children: Mapping, counts: Mapping, min_n: int, root) -> set:
    """Nodes whose figures are hidden: too few answers, the next smallest sibling (NHS FFT), and cascading down so no hidden node equals the sum of its shown children."""
    hidden: set = set()

    def visit(node, node_hidden: bool) -> None:
        kids = list(children.get(node, ()))
        if not kids:
            return
        hidden_kids = suppressed_siblings({kid: counts.get(kid, 0) for kid in kids}, min_n)
        if node_hidden and not hidden_kids:
            # Shown children would give the hidden parent's figure away: hide two of them (or the only one).
            answered = sorted((counts.get(kid, 0), str(kid), kid) for kid in kids if counts.get(kid, 0) > 0)
            hidden_kids = {entry[2] for entry in answered[:2]}
        hidden.update(hidden_kids)
        for kid in kids:
            visit(kid, kid in hidden)

    if 0 < counts.get(root, 0) < min_n:
        hidden.add(root)
    visit(root, root in hidden)
    return hidden


def pooled_histogram(*histograms: Mapping[int, int]) -> dict[int, int]:
    """Histograms added bucket by bucket: how a parent's reply times pool its subtree's."""
    pooled: dict[int, int] = {}
    for histogram in histograms:
        for bucket, count in histogram.items():
            pooled[bucket] = pooled.get(bucket, 0) + count
    return pooled


def histogram_median(histogram: Mapping[int, int]) -> float | None:
    """The median of values counted by whole-number bucket (the mean of the two middle ones when even); None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    ordered = sorted((bucket, count) for bucket, count in histogram.items() if count > 0)

    def value_at(rank: int) -> int:  # rank counts from 1
        seen = 0
        for bucket, count in ordered:
            seen += count
            if seen >= rank:
                return bucket
        raise AssertionError("rank beyond the histogram")

    if total % 2:
        return float(value_at(total // 2 + 1))
    return (value_at(total // 2) + value_at(total // 2 + 1)) / 2
