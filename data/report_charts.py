"""The report's charts as SVG drawn here from the same figures as the page's Altair charts (no browser, no
network): dots on intervals, a line with its band, bars. Every label is escaped; the drawing has a text
alternative (role="img", aria-label and <title>)."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from textwrap import wrap

WIDTH = 640           # the viewBox is as wide as the page's printed charts; the SVG scales to its box
LABEL_WIDTH = 210     # the column of names left of the bars
LABEL_CHARS = 34      # a name longer than this wraps onto a second line (never cut)
ROW = 30
INK, BLUE, MUTED, GRID, BAND = "#1b2a3a", "#1f5f8b", "#6b7682", "#d5dbe1", "#cfdfeb"
FONT = 'font-family="DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Dot:
    label: str
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader reads it, e.g. "72,5 % (n 40)"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: too few answers that month, not drawn
    low: float | None = None
    high: float | None = None


def _svg(height: float, alt: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(alt)}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" {FONT} font-size="11">'
            f"<title>{escape(alt)}</title>" + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" {extra}>'
            f"{escape(text)}</text>")


def _label(y: float, text: str) -> str:
    """A row's name at the left, on one or two lines."""
    lines = wrap(text, LABEL_CHARS) or [""]
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    top = y - 6 * (len(lines) - 1)
    return "".join(_text(LABEL_WIDTH - 8, top + 12 * i, line, anchor="end") for i, line in enumerate(lines))


def nps_domain(lows: list[float], highs: list[float]) -> tuple[int, int]:
    """An NPS axis from a round ten below the lowest interval to one above the highest, within ±100."""
    low, high = min(lows, default=0), max(highs, default=100)
    return int(max(-100, (low // 10) * 10 - 10)), int(min(100, -(-high // 10) * 10 + 10))


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = max(10, round((high - low) / count / 10) * 10)
    first = -(-low // step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def _x_axis(scale, low: float, high: float, top: float, bottom: float, number) -> list[str]:
    parts = []
    for tick in _ticks(low, high):
        x = scale(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}" '
                     f'stroke-width="{1.2 if tick == 0 else 0.6}"/>')
        parts.append(_text(x, bottom + 13, number(tick), anchor="middle", fill=MUTED))
    return parts


def dots(rows: list[Dot], *, alt: str, number, axis_title: str = "NPS") -> str:
    """Each row's value as a dot on its interval, lowest first (the children of a node)."""
    rows = sorted(rows, key=lambda row: row.value)
    low, high = nps_domain([r.low for r in rows], [r.high for r in rows])
    left, right = LABEL_WIDTH, WIDTH - 16

    def scale(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)
    height = 28 + ROW * len(rows) + 26
    body = _x_axis(scale, low, high, 12, 12 + ROW * len(rows), number)
    for i, row in enumerate(rows):
        y = 12 + ROW * i + ROW / 2
        body.append(_label(y + 4, row.label))
        body.append(f'<line x1="{scale(row.low):.1f}" y1="{y:.1f}" x2="{scale(row.high):.1f}" y2="{y:.1f}" '
                    f'stroke="{MUTED}" stroke-width="2"/>')
        body.append(f'<circle cx="{scale(row.value):.1f}" cy="{y:.1f}" r="5" fill="{BLUE}"/>')
        body.append(_text(scale(row.value), y - 8, number(row.value), anchor="middle", extra='font-size="9"'))
    body.append(_text((left + right) / 2, height - 4, axis_title, anchor="middle", fill=MUTED))
    return _svg(height, alt, body)


def bars(rows: list[Bar], *, alt: str, maximum: float | None = None) -> str:
    """Horizontal bars from zero, each with its value written after it (statements, channels)."""
    top_value = maximum if maximum is not None else max((r.value for r in rows), default=1) or 1
    left, right = LABEL_WIDTH, WIDTH - 120
    height = 12 + ROW * len(rows) + 8
    body = [f'<line x1="{left}" y1="8" x2="{left}" y2="{height - 6}" stroke="{GRID}"/>']
    for i, row in enumerate(rows):
        y = 12 + ROW * i
        length = max(0.0, row.value) / top_value * (right - left)
        body.append(_label(y + ROW / 2 + 4, row.label))
        body.append(f'<rect x="{left}" y="{y + 6}" width="{length:.1f}" height="{ROW - 12}" fill="{BLUE}"/>')
        body.append(_text(left + length + 5, y + ROW / 2 + 4, row.shown))
    return _svg(height, alt, body)


def line(points: list[Point], *, alt: str, number, too_few: str, axis_title: str = "NPS") -> str:
    """Values month by month joined by a line over their interval band; a month with too few answers is a gap
    marked with a word, never a point."""
    drawn = [p for p in points if p.value is not None]
    low, high = nps_domain([p.low if p.low is not None else p.value for p in drawn],
                           [p.high if p.high is not None else p.value for p in drawn])
    left, right, top, bottom = 44, WIDTH - 12, 12, 200
    step = (right - left) / max(1, len(points))

    def x_of(i: int) -> float:
        return left + step * (i + 0.5)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)
    body = []
    for tick in _ticks(low, high):
        body.append(f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{right}" y2="{y_of(tick):.1f}" stroke="{GRID}" '
                    f'stroke-width="{1.2 if tick == 0 else 0.6}"/>')
        body.append(_text(left - 6, y_of(tick) + 4, number(tick), anchor="end", fill=MUTED))
    runs: list[list[tuple[int, Point]]] = [[]]
    for i, point in enumerate(points):
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append((i, point))
    for run in runs:
        banded = [(i, p) for i, p in run if p.low is not None and p.high is not None]
        if len(banded) > 1:
            outline = [f"{x_of(i):.1f},{y_of(p.high):.1f}" for i, p in banded] + \
                      [f"{x_of(i):.1f},{y_of(p.low):.1f}" for i, p in reversed(banded)]
            body.append(f'<polygon points="{" ".join(outline)}" fill="{BAND}"/>')
        if len(run) > 1:
            body.append(f'<polyline points="{" ".join(f"{x_of(i):.1f},{y_of(p.value):.1f}" for i, p in run)}" '
                        f'fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for i, point in enumerate(points):
        if point.value is None:
            # Written upwards, as on the page: neighbouring gaps do not run into each other.
            body.append(_text(x_of(i) + 3, bottom - 6, too_few, fill=MUTED,
                              extra=f'font-style="italic" font-size="9" transform="rotate(-90 {x_of(i) + 3:.1f} '
                                    f'{bottom - 6:.1f})"'))
        else:
            body.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(point.value):.1f}" r="4" fill="{BLUE}"/>')
            body.append(_text(x_of(i), y_of(point.value) - 8, number(point.value), anchor="middle",
                              extra='font-size="9"'))
        body.append(_text(x_of(i), bottom + 16, point.label, anchor="middle", fill=MUTED))
    body.append(_text(12, (top + bottom) / 2, axis_title, anchor="middle", fill=MUTED,
                      extra=f'transform="rotate(-90 12 {(top + bottom) / 2:.0f})"'))
    return _svg(bottom + 26, alt, body)
