"""The ABC Logistics review and certification demo (filled in with the certification app)."""


def build_certification_demo(organisation, admin):
    """Create (or reuse) the demo's review and certificate records; return {label: count}."""
    return {}
