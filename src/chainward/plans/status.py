"""Where a security objective stands, computed from its measurements (ISO 28000 6.2.2, 9.1).

The rule of `assess()` — checked in this order, the first match decides:

1. Only measurements dated on or before *today* count. None at all → **not measured**.
2. The latest measurement meets the target (value ≥ target when higher is better, value ≤
   target when lower is better) → **on track** (target met; also after the due date).
3. The due date has passed (today > due date) and the target is not met → **off track**.
4. The trend is the least-squares line through the measurements dated within the 365 days up
   to and including the latest one (older figures describe a situation that has changed).
   Fewer than two distinct dates in that window: no trend → **at risk** (not met yet, and
   nobody can tell whether it will be).
5. The trend line's value at the due date meets the target → **on track** (projected to be
   met in time).
6. The trend moves toward the target (slope > 0 when higher is better, < 0 when lower is
   better) but its value at the due date falls short → **at risk** (improving, too slowly).
7. Otherwise the trend is flat or moving away from the target → **off track**.

So "on track" means met or on course to be met by the due date, "at risk" improving but not
fast enough (or too little data to say), "off track" late or not improving. The arithmetic is
exact (fractions, dates as day numbers), so a projection landing exactly on the target meets
it; the figures returned for display are rounded to two decimals.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .choices import Direction, ObjectiveStatus

TREND_WINDOW = datetime.timedelta(days=365)
SHOWN = Decimal("0.01")


@dataclass(frozen=True)
class Assessment:
    """The computed status of an objective and the figures it rests on."""

    status: str
    reason: str
    latest_on: datetime.date | None = None
    latest: Decimal | None = None
    trend_points: int = 0  # measurements the trend line was fitted to
    trend_start: tuple[datetime.date, Decimal] | None = None  # the line at its first date
    projected: Decimal | None = None  # the line at the due date

    @property
    def label(self):
        """The status as people read it."""
        return ObjectiveStatus(self.status).label


def meets(direction, value, target):
    """Whether `value` reaches `target` in the objective's direction."""
    if direction == Direction.LOWER_IS_BETTER:
        return value <= target
    return value >= target


def assess(direction, target, due_date, today, measurements):
    """Status of an objective from `(date, value)` measurements; the rule is the module's."""
    points = sorted((day, Fraction(value)) for day, value in measurements if day <= today)
    if not points:
        return Assessment(ObjectiveStatus.NOT_MEASURED, "No measurement yet.")
    latest_on, latest = points[-1]
    target = Fraction(target)
    known = {"latest_on": latest_on, "latest": _shown(latest)}
    if meets(direction, latest, target):
        return Assessment(ObjectiveStatus.ON_TRACK,
                          f"The latest measurement ({latest_on}) meets the target.", **known)
    if today > due_date:
        return Assessment(ObjectiveStatus.OFF_TRACK,
                          f"The due date ({due_date}) has passed and the target is not met.",
                          **known)
    window = [(day, value) for day, value in points if day >= latest_on - TREND_WINDOW]
    if len({day for day, _ in window}) < 2:
        return Assessment(ObjectiveStatus.AT_RISK,
                          "The target is not met yet and one measurement in the last 12 months "
                          "gives no trend to project.", trend_points=len(window), **known)
    origin = window[0][0]
    xs = [Fraction((day - origin).days) for day, _ in window]
    ys = [value for _, value in window]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / \
        sum((x - mean_x) ** 2 for x in xs)
    intercept = mean_y - slope * mean_x
    projected = intercept + slope * (due_date - origin).days
    known.update(trend_points=len(window), trend_start=(origin, _shown(intercept)),
                 projected=_shown(projected))
    if meets(direction, projected, target):
        return Assessment(ObjectiveStatus.ON_TRACK,
                          "Not met yet, but the trend of the last 12 months reaches the target "
                          f"by the due date ({due_date}).", **known)
    improving = slope < 0 if direction == Direction.LOWER_IS_BETTER else slope > 0
    if improving:
        return Assessment(ObjectiveStatus.AT_RISK,
                          "Improving, but at the pace of the last 12 months the target is "
                          f"not reached by the due date ({due_date}).", **known)
    return Assessment(ObjectiveStatus.OFF_TRACK,
                      "The trend of the last 12 months is flat or moving away from the target.",
                      **known)


def _shown(value):
    """A fraction as a Decimal rounded for display."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        SHOWN, rounding=ROUND_HALF_UP)
