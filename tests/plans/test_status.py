"""The objective status rule (chainward.plans.status) on hand-worked examples.

Dates become day numbers counted from the first measurement in the trend window; the trend is
the least-squares line  slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²,  intercept = ȳ − slope·x̄,
projected = intercept + slope·x(due date). Day counts of 2026: Jan 31, Feb 28, Mar 31, Apr 30.
"""

import datetime
from decimal import Decimal

from chainward.plans.choices import Direction, ObjectiveStatus
from chainward.plans.status import assess

D = datetime.date
HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
# x = 0, 30, 60: Jan 1 → Jan 31 is 30 days, Jan 31 → Mar 2 is 28 + 2 = 30 days.
THREE_DATES = (D(2026, 1, 1), D(2026, 1, 31), D(2026, 3, 2))


def series(*values, dates=THREE_DATES):
    return [(day, Decimal(value)) for day, value in zip(dates, values, strict=True)]


def test_it_is_not_measured_without_measurements():
    result = assess(HIGHER, Decimal("99"), D(2026, 12, 31), D(2026, 3, 15), [])
    assert result.status == ObjectiveStatus.NOT_MEASURED
    assert result.latest is None and result.projected is None


def test_it_ignores_measurements_dated_after_today():
    # Only 2026-01-01 (95) counts on 2026-03-15: one point, not met (95 < 99), no trend.
    result = assess(HIGHER, Decimal("99"), D(2026, 12, 31), D(2026, 3, 15),
                    [(D(2026, 1, 1), Decimal("95")), (D(2026, 12, 1), Decimal("100"))])
    assert result.status == ObjectiveStatus.AT_RISK
    assert (result.latest, result.trend_points) == (Decimal("95.00"), 1)


def test_it_is_on_track_when_the_latest_value_meets_the_target():
    # Higher is better: latest 99.2 ≥ 99 → met, whatever the earlier values.
    result = assess(HIGHER, Decimal("99"), D(2026, 12, 31), D(2026, 3, 15),
                    series("97", "99.5", "99.2"))
    assert result.status == ObjectiveStatus.ON_TRACK
    assert result.latest == Decimal("99.20") and result.projected is None
    # Exactly on the target counts as met: 99 ≥ 99.
    assert assess(HIGHER, Decimal("99"), D(2026, 12, 31), D(2026, 3, 15),
                  series("97", "98", "99")).status == ObjectiveStatus.ON_TRACK


def test_a_met_target_stays_on_track_after_the_due_date():
    # Lower is better: 0.38 ≤ 0.40 is met, so the passed due date (03-31 < 06-30) does not matter.
    result = assess(LOWER, Decimal("0.40"), D(2026, 3, 31), D(2026, 6, 30),
                    series("0.55", "0.45", "0.38"))
    assert result.status == ObjectiveStatus.ON_TRACK


def test_lower_is_better_on_a_good_trend_is_on_track():
    # x = 0, 30, 60; y = 2.0, 1.8, 1.6; x̄ = 30, ȳ = 1.8.
    # Σ(x−x̄)(y−ȳ) = (−30)(0.2) + 0 + (30)(−0.2) = −12; Σ(x−x̄)² = 900 + 0 + 900 = 1800.
    # slope = −12/1800 = −1/150 a day (−0.2 a month); intercept = 1.8 + 30/150 = 2.0.
    # Due 2026-06-30 is x = 31 + 28 + 31 + 30 + 31 + 29 = 180: 2.0 − 180/150 = 0.8 ≤ 1.0.
    result = assess(LOWER, Decimal("1.0"), D(2026, 6, 30), D(2026, 3, 15),
                    series("2.0", "1.8", "1.6"))
    assert result.status == ObjectiveStatus.ON_TRACK
    assert result.latest == Decimal("1.60")  # not met yet: 1.6 > 1.0
    assert result.projected == Decimal("0.80")
    assert result.trend_start == (D(2026, 1, 1), Decimal("2.00"))


def test_lower_is_better_on_a_bad_trend_is_off_track():
    # y = 1.6, 1.8, 2.0: slope = +1/150 a day, moving away from 1.0 (lower is better);
    # projected 1.6 + 180/150 = 2.8 > 1.0 and not improving → off track.
    result = assess(LOWER, Decimal("1.0"), D(2026, 6, 30), D(2026, 3, 15),
                    series("1.6", "1.8", "2.0"))
    assert result.status == ObjectiveStatus.OFF_TRACK
    assert result.projected == Decimal("2.80")


def test_higher_is_better_improving_too_slowly_is_at_risk():
    # y = 95, 96, 97: slope = (−30)(−1) + 0 + (30)(1) = 60 over 1800 = 1/30 a day; intercept 95.
    # Due 2026-04-01 is x = 31 + 28 + 31 = 90: 95 + 90/30 = 98 < 99, but slope > 0 → at risk.
    result = assess(HIGHER, Decimal("99"), D(2026, 4, 1), D(2026, 3, 15),
                    series("95", "96", "97"))
    assert result.status == ObjectiveStatus.AT_RISK
    assert result.projected == Decimal("98.00")


def test_a_projection_landing_exactly_on_the_target_is_on_track():
    # Same line, due 2026-05-01 is x = 90 + 30 = 120: 95 + 120/30 = 99 = target → on track.
    result = assess(HIGHER, Decimal("99"), D(2026, 5, 1), D(2026, 3, 15),
                    series("95", "96", "97"))
    assert result.status == ObjectiveStatus.ON_TRACK
    assert result.projected == Decimal("99.00")


def test_past_due_and_not_met_is_off_track_even_when_improving():
    # Due 2026-03-10 < today 2026-03-15 and 97 < 99: off track, no projection needed.
    result = assess(HIGHER, Decimal("99"), D(2026, 3, 10), D(2026, 3, 15),
                    series("95", "96", "97"))
    assert result.status == ObjectiveStatus.OFF_TRACK
    assert result.projected is None


def test_the_due_day_itself_is_not_past_due():
    # Due today (2026-03-15, x = 31 + 28 + 14 = 73): 95 + 73/30 = 97.43 < 99, improving → at risk.
    result = assess(HIGHER, Decimal("99"), D(2026, 3, 15), D(2026, 3, 15),
                    series("95", "96", "97"))
    assert result.status == ObjectiveStatus.AT_RISK
    assert result.projected == Decimal("97.43")


def test_the_trend_is_least_squares_not_the_last_two_points():
    # x = 0, 30, 60, 90; y = 10, 14, 12, 16; x̄ = 45, ȳ = 13.
    # Σ(x−x̄)(y−ȳ) = (−45)(−3) + (−15)(1) + (15)(−1) + (45)(3) = 240; Σ(x−x̄)² = 4500.
    # slope = 240/4500 = 4/75 a day; intercept = 13 − 45·4/75 = 10.6.
    # Due 2026-05-31 (x = 150): 10.6 + 8 = 18.6 < 20, improving → at risk. (The last two
    # points alone, 12 → 16 in 30 days, would give 16 + 60·4/30 = 24 and say on track.)
    dates = (D(2026, 1, 1), D(2026, 1, 31), D(2026, 3, 2), D(2026, 4, 1))
    values = series("10", "14", "12", "16", dates=dates)
    result = assess(HIGHER, Decimal("20"), D(2026, 5, 31), D(2026, 4, 15), values)
    assert result.status == ObjectiveStatus.AT_RISK
    assert result.projected == Decimal("18.60")
    # Due 2026-06-30 (x = 180): 10.6 + 9.6 = 20.2 ≥ 20 → on track.
    result = assess(HIGHER, Decimal("20"), D(2026, 6, 30), D(2026, 4, 15), values)
    assert result.status == ObjectiveStatus.ON_TRACK
    assert result.projected == Decimal("20.20")


def test_the_trend_uses_only_the_last_12_months():
    # 2025-01-01 (99) is 426 days before the latest 2026-03-03 (> 365): left out. The line
    # through 2026-02-01 (90, x = 0) and 2026-03-03 (92, x = 30) rises 2/30 a day; due
    # 2026-04-17 is x = 28 + 31 + 16 = 75: 90 + 75·2/30 = 95 = target → on track. With the
    # old 99 included the slope would be negative and the status off track.
    values = [(D(2025, 1, 1), Decimal("99")), (D(2026, 2, 1), Decimal("90")),
              (D(2026, 3, 3), Decimal("92"))]
    result = assess(HIGHER, Decimal("95"), D(2026, 4, 17), D(2026, 3, 20), values)
    assert result.status == ObjectiveStatus.ON_TRACK
    assert result.trend_points == 2 and result.projected == Decimal("95.00")


def test_a_flat_trend_short_of_the_target_is_off_track():
    # y = 1.5, 1.5, 1.5: slope 0, projected 1.5 > 1.0 (lower is better), not improving.
    result = assess(LOWER, Decimal("1.0"), D(2026, 12, 31), D(2026, 3, 15),
                    series("1.5", "1.5", "1.5"))
    assert result.status == ObjectiveStatus.OFF_TRACK


def test_one_measurement_short_of_the_target_is_at_risk():
    result = assess(LOWER, Decimal("1.0"), D(2026, 12, 31), D(2026, 3, 15),
                    [(D(2026, 3, 1), Decimal("1.4"))])
    assert result.status == ObjectiveStatus.AT_RISK
