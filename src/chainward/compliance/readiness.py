"""Readiness toward certification, computed in the database (one aggregate per grouping)."""

from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Q, Sum, Value, When

from .choices import READINESS_EXPLAINED, READINESS_EXPLAINED_STRICT, WEIGHTS, ComplianceStatus
from .evidence import has_valid_evidence


def weight():
    """The readiness weight of a status row, as a database expression."""
    return Case(*[When(status=key, then=Value(value)) for key, value in WEIGHTS.items()],
                default=Value(Decimal("0")),
                output_field=DecimalField(max_digits=6, decimal_places=2))


def excluded():
    """A row excluded with a reason: not applicable and a justification that is not blank."""
    return Q(status=ComplianceStatus.NOT_APPLICABLE) & ~Q(justification__regex=r"^\s*$")


def counted(assessment):
    """Rows that count: every assessable requirement, less the justified exclusions of a
    framework that allows exclusions. Where it does not (ISO 28000), a "not applicable" row
    stays in the total with weight 0, so excluding can never raise readiness (issue 12)."""
    rows = assessment.statuses.filter(archived=False, requirement__assessable=True)
    if assessment.framework.allows_exclusions:
        rows = rows.exclude(excluded())
    return rows


def percent(score, total):
    """A percentage with one decimal, or None when nothing applies."""
    if not total:
        return None
    return float(round(Decimal(score or 0) * 100 / total, 1))


def shown(value):
    """How a readiness figure reads everywhere: "0.0%" for nothing implemented yet (a real
    figure), "—" only when no requirement applies (None)."""
    return "—" if value is None else f"{value}%"


def _grouped(rows, level):
    prefix = f"requirement__{level}"
    data = rows.values(f"{prefix}_id", f"{prefix}__ref_id", f"{prefix}__title",
                       f"{prefix}__order").annotate(score=Sum(weight()), total=Count("pk")) \
        .order_by(f"{prefix}__order")
    return [{"id": row[f"{prefix}_id"], "ref_id": row[f"{prefix}__ref_id"],
             "title": row[f"{prefix}__title"], "total": row["total"],
             "percent": percent(row["score"], row["total"])} for row in data]


def readiness(assessment):
    """Overall, per-section and per-clause readiness plus the status counts."""
    rows = counted(assessment)
    overall = rows.aggregate(score=Sum(weight()), total=Count("pk"))
    counts = dict(assessment.statuses.filter(archived=False, requirement__assessable=True)
                  .values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "percent": percent(overall["score"], overall["total"]),
        "applicable": overall["total"],
        "counts": {key: counts.get(key, 0) for key, _ in ComplianceStatus.choices},
        "sections": _grouped(rows, "section"),
        "clauses": _grouped(rows, "clause"),
        "explanation": (READINESS_EXPLAINED if assessment.framework.allows_exclusions
                        else READINESS_EXPLAINED_STRICT),
        "allows_exclusions": assessment.framework.allows_exclusions,
    }


def missing_for_certification(assessment):
    """What stands between this assessment and certification.

    Mandatory documented information without evidence, and applicable assessable requirements
    that have no evidence or are not at least largely implemented.
    """
    # Expired evidence no longer counts: a requirement resting on it is listed as missing.
    rows = counted(assessment).select_related("requirement").annotate(
        has_evidence=has_valid_evidence())
    documented = rows.exclude(requirement__documented_information="").filter(
        has_evidence=False)
    weak = rows.filter(Q(has_evidence=False) | ~Q(status__in=[ComplianceStatus.FULLY,
                                                                ComplianceStatus.LARGELY]))
    return {"documented": list(documented.order_by("requirement__order")),
            "requirements": list(weak.order_by("requirement__order"))}
