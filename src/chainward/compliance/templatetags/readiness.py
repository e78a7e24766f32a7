"""`{{ value|readiness }}`: a readiness figure as the pages show it (`readiness.shown`)."""

from django import template

from chainward.compliance import readiness as figures

register = template.Library()


@register.filter(name="readiness")
def readiness_filter(value):
    """ "50.0%", "0.0%" for nothing implemented, "—" when no requirement applies."""
    return figures.shown(value)
