"""Small-number rules: what may not be shown because too few answered."""


def is_too_few(n: int, min_n: int) -> bool:
    """A score or share from fewer than `min_n` answers, or from none at all, is not shown (NHS FFT practice)."""
    if n < 0 or min_n < 0:
        raise ValueError(f"counts cannot be negative: n={n}, min_n={min_n}")
    # Without a single answer there is no share to show, whatever threshold is configured.
    return n == 0 or n < min_n


def suppressed_siblings(counts: dict, min_n: int) -> set:
    """Siblings whose figures are hidden: those with too few answers and, when exactly one is, also the next smallest so the hidden one can't be derived from the parent's total (NHS FFT)."""
    hidden = {key for key, n in counts.items() if 0 < n < min_n}
    if len(hidden) == 1:
        # A sibling with no answers hides nothing, so the next smallest with answers is taken.
        visible = sorted((n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0)
        if visible:
            hidden.add(visible[0][2])
    return hidden
