"""The stages a feedback theme moves through on the unit's development board (kanban)."""

from datetime import datetime
from enum import StrEnum

from board.periods import helsinki_date


class Stage(StrEnum):
    """Where a recurring feedback theme stands; the values are stored in the database."""

    IDENTIFIED = "tunnistettu"
    IN_GROUP = "kehittamisryhmalla"
    TRIAL = "kokeilussa"
    DONE = "valmis"
    ESCALATED = "siirretty"
    NOT_PURSUED = "ei_edeta"


FLOW = (Stage.IDENTIFIED, Stage.IN_GROUP, Stage.TRIAL, Stage.DONE)
EXITS = (Stage.ESCALATED, Stage.NOT_PURSUED)
IN_DEVELOPMENT = (Stage.IN_GROUP, Stage.TRIAL)


def days_in_stage(since: datetime, now: datetime) -> int:
    """Helsinki calendar days since the theme entered its stage: 0 on the same local day."""
    # A stage stamped a moment "in the future" by another server's clock counts as entered today.
    return max(0, (helsinki_date(now) - helsinki_date(since)).days)
