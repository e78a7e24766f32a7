"""Dashboard cards contributed by the apps (each app registers its own in `ready()`)."""

from dataclasses import dataclass

_cards = []


@dataclass
class Card:
    """One dashboard tile: a headline, a line of detail, a tone and where to go."""

    title: str
    value: str
    detail: str = ""
    tone: str = "secondary"  # success, warning, danger, secondary
    url: str = ""


def card(func):
    """Register `func(request) -> Card | None` as a dashboard card."""
    _cards.append(func)
    return func


def cards_for(request):
    """Every card that applies to this user and organisation."""
    return [c for c in (func(request) for func in _cards) if c is not None]
