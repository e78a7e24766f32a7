"""Geometry of the trend chart on an objective's page, drawn as server-side SVG (no scripts).

Time runs left to right from the first measurement (or the start of the trend line) to the due
date; values run bottom to top over the measurements, the target, the baseline and the
projection. The template draws what this module computes.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from chainward.core.columns import as_text

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 20, 36  # room for the axis labels


@dataclass
class Point:
    """One measurement on the chart."""

    x: float
    y: float
    label: str


@dataclass
class Chart:
    """Everything the SVG template needs, in chart coordinates."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: list[Point]
    polyline: str
    target_y: float
    target_label: str
    due_x: float
    due_label: str
    due_anchor: str
    start_label: str
    y_labels: list[tuple[float, str]] = field(default_factory=list)
    label_x: float = LEFT - 6
    start_label_y: float = HEIGHT - BOTTOM + 14
    due_label_y: float = HEIGHT - BOTTOM + 28
    target_label_y: float = 0
    target_label_x: float = WIDTH - RIGHT - 6
    baseline_y: float | None = None
    trend: tuple[float, float, float, float] | None = None
    description: str = ""


def trend_chart(objective, assessment, measurements):
    """The chart of `(date, value)` measurements (oldest first), or None without any."""
    if not measurements:
        return None
    unit = f" {objective.unit}" if objective.unit else ""
    first_day = measurements[0][0]
    if assessment.trend_start is not None:
        first_day = min(first_day, assessment.trend_start[0])
    last_day = max(objective.due_date, measurements[-1][0])
    if last_day <= first_day:
        last_day = first_day + datetime.timedelta(days=1)
    values = [float(v) for _, v in measurements] + [float(objective.target)]
    if objective.baseline is not None:
        values.append(float(objective.baseline))
    if assessment.projected is not None:
        values += [float(assessment.projected), float(assessment.trend_start[1])]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span = (last_day - first_day).days

    def x(day):
        return round(LEFT + (right - LEFT) * (day - first_day).days / span, 1)

    def y(value):
        return round(bottom - (bottom - TOP) * (float(value) - low) / (high - low), 1)

    points = [Point(x(day), y(value), f"{day.isoformat()}: {as_text(value)}{unit}")
              for day, value in measurements]
    due_x = x(objective.due_date)
    chart = Chart(
        width=WIDTH, height=HEIGHT, left=LEFT, right=right, top=TOP, bottom=bottom,
        points=points, polyline=" ".join(f"{p.x},{p.y}" for p in points),
        target_y=y(objective.target), target_label_y=y(objective.target) - 4,
        target_label=f"target {as_text(objective.target)}{unit}",
        due_x=due_x, due_label=f"due {objective.due_date.isoformat()}",
        due_anchor="end" if due_x > (LEFT + right) / 2 else "start",
        start_label=first_day.isoformat(),
        y_labels=[(bottom, _axis(low, high - low)), (TOP, _axis(high, high - low))],
        baseline_y=y(objective.baseline) if objective.baseline is not None else None,
    )
    if assessment.projected is not None:
        start_day, start_value = assessment.trend_start
        chart.trend = (x(start_day), y(start_value), due_x, y(assessment.projected))
    chart.description = (
        f"{len(points)} measurements of {objective.kpi_name} from {measurements[0][0]} to "
        f"{measurements[-1][0]}; target {as_text(objective.target)}{unit} by "
        f"{objective.due_date}.")
    return chart


def _axis(value, span):
    """An axis label, rounded to what the value range lets a reader tell apart."""
    return as_text(Decimal(str(round(value, 0 if span >= 10 else 2) + 0.0)))  # no "-0"
