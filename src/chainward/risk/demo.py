"""The ABC Logistics security assessment demo (filled in with the risk app)."""


def build_risk_demo(organisation, admin):
    """Create (or reuse) the demo's risk records; return {label: count} for the summary."""
    return {}
