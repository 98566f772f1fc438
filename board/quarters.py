"""Calendar quarters (Helsinki days) for the public figures: Q1 is January to March."""

from dataclasses import dataclass
from datetime import date

from board.periods import Period


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. 2026 Q4."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"a quarter is 1-4, got {self.number}")

    def period(self) -> Period:
        """The quarter's first to last day."""
        first = date(self.year, 3 * self.number - 2, 1)
        after = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return Period(first, date.fromordinal(after.toordinal() - 1))

    def previous(self) -> "Quarter":
        """The quarter before this one."""
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"


def quarter_of(day: date) -> Quarter:
    """The quarter a calendar day falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_quarters(today: date, count: int) -> list[Quarter]:
    """The `count` quarters up to and including the current one, oldest first."""
    if count < 1:
        raise ValueError(f"need at least one quarter, got {count}")
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]
