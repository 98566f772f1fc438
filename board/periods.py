"""Helsinki calendar days, reporting periods and ISO weeks.

Every datetime entering or leaving this module is naive and means UTC, unless a function says it
takes Helsinki local time. Dates (`date`) are Helsinki calendar days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def as_utc_naive(moment: datetime) -> datetime:
    """An aware moment becomes naive UTC; a naive moment already is naive UTC and is returned as is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def helsinki_date(moment: datetime) -> date:
    """The Helsinki calendar day on which a naive-UTC moment falls."""
    return as_utc_naive(moment).replace(tzinfo=UTC).astimezone(HELSINKI).date()


def helsinki_midnight_utc(day: date) -> datetime:
    """The naive-UTC instant at which the Helsinki day begins (22:00 UTC in winter, 21:00 in summer)."""
    # Helsinki changes its clocks at 03:00/04:00, so local midnight always exists exactly once.
    return as_utc_naive(datetime.combine(day, time(0), tzinfo=HELSINKI))


@dataclass(frozen=True)
class Period:
    """The Helsinki calendar days from `first` to `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"period ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        """The number of calendar days in the period, both ends included."""
        return (self.last - self.first).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period as a half-open naive-UTC range [start of first day, start of the day after last)."""
        return helsinki_midnight_utc(self.first), helsinki_midnight_utc(self.last + timedelta(days=1))


def last_days(today: date, days: int) -> Period:
    """The `days` calendar days that end with today, today included."""
    if days < 1:
        raise ValueError(f"a period needs at least one day, got {days}")
    return Period(today - timedelta(days=days - 1), today)


def previous_period(period: Period) -> Period:
    """The period of the same length that ends the day before `period` starts."""
    return Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))


@dataclass(frozen=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday); `year` is the ISO week-numbering year."""

    year: int
    week: int

    def __post_init__(self) -> None:
        # date.fromisocalendar knows which years have a week 53 and rejects the rest.
        date.fromisocalendar(self.year, self.week, 1)

    @property
    def monday(self) -> date:
        """The first day of the week."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        """The last day of the week."""
        return date.fromisocalendar(self.year, self.week, 7)

    def period(self) -> Period:
        """The week as a Monday-to-Sunday period."""
        return Period(self.monday, self.sunday)

    @property
    def label(self) -> str:
        """The week as Finns say it on the board: "vko 47"."""
        return f"vko {self.week}"

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def iso_week_of(day: date) -> IsoWeek:
    """The ISO week containing the day; its ISO year may differ from the calendar year around New Year."""
    year, week, _ = day.isocalendar()
    return IsoWeek(year, week)


def last_weeks(today: date, count: int) -> list[IsoWeek]:
    """The `count` ISO weeks up to and including the current one, oldest first."""
    if count < 1:
        raise ValueError(f"need at least one week, got {count}")
    return [iso_week_of(today - timedelta(weeks=ago)) for ago in range(count - 1, -1, -1)]


def current_and_previous_week(today: date) -> tuple[Period, Period]:
    """This ISO week from Monday to today, and the whole ISO week before it."""
    monday = today - timedelta(days=today.weekday())
    return Period(monday, today), Period(monday - timedelta(weeks=1), monday - timedelta(days=1))


def parse_local_or_aware(text: str) -> datetime:
    """An ISO 8601 timestamp as naive UTC; without an offset it is Helsinki local time.

    A local time that Helsinki skips (spring, 03:00-04:00) or repeats (autumn, 03:00-04:00) is
    read with fold=0, the offset in force before the change: 2026-03-29T03:30 is read as
    +02:00 (01:30 UTC) and 2026-10-25T03:30 as its first occurrence, +03:00 (00:30 UTC).
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HELSINKI, fold=0)
    return as_utc_naive(moment)


# --- Reporting periods of the roll-up: calendar weeks, months, quarters, years, or a custom range --

PERIOD_KINDS = ("week", "month", "quarter", "year", "custom")


def month_period(year: int, month: int) -> Period:
    """A calendar month, first to last day."""
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(first, following - timedelta(days=1))


def quarter_of(day: date) -> int:
    """The quarter (1-4) a day falls in."""
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    """A calendar quarter: Q1 is January to March."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"a quarter is 1-4, got {quarter}")
    first_month = 3 * (quarter - 1) + 1
    return Period(date(year, first_month, 1), month_period(year, first_month + 2).last)


def year_period(year: int) -> Period:
    """A calendar year."""
    return Period(date(year, 1, 1), date(year, 12, 31))


def calendar_period(kind: str, day: date) -> Period:
    """The ISO week, month, quarter or year that contains the day."""
    if kind == "week":
        return iso_week_of(day).period()
    if kind == "month":
        return month_period(day.year, day.month)
    if kind == "quarter":
        return quarter_period(day.year, quarter_of(day))
    if kind == "year":
        return year_period(day.year)
    raise ValueError(f"no calendar period of kind {kind!r}")


def previous_of(period: Period, kind: str) -> Period:
    """The period before: the previous week, month, quarter or year; a custom range's same-length predecessor."""
    if kind == "custom":
        return previous_period(period)
    return calendar_period(kind, period.first - timedelta(days=1))


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February has no twin in the year before
        return day.replace(year=day.year - 1, day=28)


def year_earlier(period: Period, kind: str = "custom") -> Period:
    """The same period a year earlier: the same ISO week number, or the same calendar dates."""
    if kind == "week":
        week = iso_week_of(period.first)
        try:
            return IsoWeek(week.year - 1, week.week).period()
        except ValueError:  # week 53 has no twin in a 52-week year: its last week stands in
            return iso_week_of(date(week.year - 1, 12, 28)).period()
    return Period(_year_back(period.first), _year_back(period.last))


def months_up_to(day: date, count: int) -> list[Period]:
    """The `count` calendar months ending with the month of the day, oldest first."""
    if count < 1:
        raise ValueError(f"need at least one month, got {count}")
    months, year, month = [], day.year, day.month
    for _ in range(count):
        months.append(month_period(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def period_key(kind: str, period: Period) -> str:
    """A period as it goes in a link: 2026-W47, 2026-11, 2026-Q4, 2026, or 2026-10-01..2026-12-31."""
    if kind == "week":
        return str(iso_week_of(period.first))
    if kind == "month":
        return f"{period.first.year}-{period.first.month:02d}"
    if kind == "quarter":
        return f"{period.first.year}-Q{quarter_of(period.first)}"
    if kind == "year":
        return str(period.first.year)
    return f"{period.first.isoformat()}..{period.last.isoformat()}"


def parse_period_key(kind: str, key: str) -> Period:
    """The period of a link's key (see period_key); ValueError when the key does not fit the kind."""
    key = key.strip()
    if kind == "week":
        year, week = key.split("-W")
        return IsoWeek(int(year), int(week)).period()
    if kind == "month":
        year, month = key.split("-")
        return month_period(int(year), int(month))
    if kind == "quarter":
        year, quarter = key.split("-Q")
        return quarter_period(int(year), int(quarter))
    if kind == "year":
        return year_period(int(key))
    if kind == "custom":
        first, last = key.split("..")
        return Period(date.fromisoformat(first), date.fromisoformat(last))
    raise ValueError(f"unknown period kind {kind!r}")


def recent_periods(kind: str, today: date, count: int) -> list[Period]:
    """The `count` calendar periods of a kind up to and including the current one, newest first."""
    periods = [calendar_period(kind, today)]
    while len(periods) < count:
        periods.append(previous_of(periods[-1], kind))
    return periods
