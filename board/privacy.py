"""Small-number rules: what may not be shown because too few answered."""


def is_too_few(n: int, min_n: int) -> bool:
    """A score or share from fewer than `min_n` answers, or from none at all, is not shown (NHS FFT practice)."""
    if n < 0 or min_n < 0:
        raise ValueError(f"counts cannot be negative: n={n}, min_n={min_n}")
    # Without a single answer there is no share to show, whatever threshold is configured.
    return n == 0 or n < min_n
