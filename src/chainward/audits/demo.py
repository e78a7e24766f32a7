"""The ABC Logistics audits demo (filled in with the audits app)."""


def build_audits_demo(organisation, admin):
    """Create (or reuse) the demo's audit records; return {label: count} for the summary."""
    return {}
