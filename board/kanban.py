"""The theme board (kanban): which moves a card may make, work-in-progress limits, the development split."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from board.stages import EXITS, Stage

NOTE_MAX = 400

OPEN = (Stage.IDENTIFIED, Stage.IN_GROUP, Stage.TRIAL)

# Forward one step along the flow; from the group straight to done (changed without a trial); back
# one step among the open stages (a failed trial goes back to the group); any open stage to either
# exit; done reopens to the group, which decides again; an exit reopens to identified. Nothing else:
# a theme is not done without the group, and one exit is not swapped for the other without a reopen.
MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.IDENTIFIED: frozenset({Stage.IN_GROUP, *EXITS}),
    Stage.IN_GROUP: frozenset({Stage.TRIAL, Stage.DONE, Stage.IDENTIFIED, *EXITS}),
    Stage.TRIAL: frozenset({Stage.DONE, Stage.IN_GROUP, *EXITS}),
    Stage.DONE: frozenset({Stage.IN_GROUP}),
    Stage.ESCALATED: frozenset({Stage.IDENTIFIED}),
    Stage.NOT_PURSUED: frozenset({Stage.IDENTIFIED}),
}


class IllegalMove(ValueError):
    """A move no rule allows; `reason` is a stable key the UI turns into a message in its language."""

    def __init__(self, current: Stage, target: Stage, reason: str) -> None:
        super().__init__(f"a theme cannot move from {current} to {target}: {reason}")
        self.current = current
        self.target = target
        self.reason = reason


def check_move(
    current: Stage,
    target: Stage,
    *,
    escalated_to: str | None = None,
    reason: str | None = None,
) -> None:
    """A move must be in MOVES; escalating says where to and not pursuing says why, each in at most 400 characters."""
    current, target = Stage(current), Stage(target)
    if current == target:
        raise IllegalMove(current, target, "same_stage")
    if target not in MOVES[current]:
        raise IllegalMove(current, target, "not_allowed")
    # Notes given for other targets are not checked: the caller stores only the one the target needs.
    if target == Stage.ESCALATED:
        _check_note(current, target, escalated_to, missing="escalation_target_missing")
    elif target == Stage.NOT_PURSUED:
        _check_note(current, target, reason, missing="reason_missing")


def _check_note(current: Stage, target: Stage, note: str | None, *, missing: str) -> None:
    note = (note or "").strip()
    if not note:
        raise IllegalMove(current, target, missing)
    if len(note) > NOTE_MAX:
        raise IllegalMove(current, target, "too_long")


@dataclass(frozen=True)
class WipLimits:
    """Work-in-progress limits: at most `limits[stage]` cards in an open stage of one unit; no entry, no limit."""

    limits: Mapping[Stage, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checked: dict[Stage, int] = {}
        for key, limit in self.limits.items():
            stage = Stage(key)
            if stage not in OPEN:
                raise ValueError(f"only open stages have a limit, not {stage}")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValueError(f"the limit of {stage} must be a whole number of at least 1, got {limit!r}")
            checked[stage] = limit
        # Read-only and in flow order, so that equal limits look alike wherever they are shown.
        ordered = {stage: checked[stage] for stage in OPEN if stage in checked}
        object.__setattr__(self, "limits", MappingProxyType(ordered))

    def __hash__(self) -> int:
        return hash(tuple(self.limits.items()))

    def __reduce__(self):
        # A read-only mapping cannot be pickled, and settings may be cached or kept in a session.
        return (WipLimits, (dict(self.limits),))

    def limit(self, stage: Stage) -> int | None:
        """The most cards the stage may hold, None when it has no limit."""
        return self.limits.get(Stage(stage))

    def would_exceed(self, stage: Stage, cards_in_stage: int) -> bool:
        """Adding one more card to a stage that holds `cards_in_stage` cards takes it over its limit."""
        _check_cards(cards_in_stage)
        return self.is_over(stage, cards_in_stage + 1)

    def is_over(self, stage: Stage, cards_in_stage: int) -> bool:
        """A stage holding `cards_in_stage` cards is over its limit (shown on the board)."""
        _check_cards(cards_in_stage)
        limit = self.limit(stage)
        return limit is not None and cards_in_stage > limit


def _check_cards(cards_in_stage: int) -> None:
    if cards_in_stage < 0:
        raise ValueError(f"a count of cards cannot be negative, got {cards_in_stage}")


_LIMIT = re.compile(r"[+-]?[0-9]+")


def parse_wip_limits(text: str) -> WipLimits:
    """Limits from a setting such as "kehittamisryhmalla=5, kokeilussa=3"; empty text sets none."""
    limits: dict[Stage, int] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise ValueError(f"'{part}' is not of the form stage=limit")
        name, value = name.strip().casefold(), value.strip()
        stage = next((stage for stage in OPEN if stage.value == name), None)
        if stage is None:
            allowed = ", ".join(OPEN)
            raise ValueError(f"'{part}': '{name}' is not an open stage; a limit can be set for {allowed}")
        if not _LIMIT.fullmatch(value):
            raise ValueError(f"'{part}': the limit '{value}' is not a whole number")
        if int(value) < 1:
            raise ValueError(f"'{part}': the limit must be at least 1")
        if stage in limits:
            raise ValueError(f"'{part}': {stage} is given a limit twice")
        limits[stage] = int(value)
    return WipLimits(limits)


def entered_development(history: Sequence[tuple[datetime, Stage]]) -> datetime | None:
    """The first moment the theme entered the development group, None if it never did; any order of history."""
    return min((moment for moment, stage in history if stage == Stage.IN_GROUP), default=None)

