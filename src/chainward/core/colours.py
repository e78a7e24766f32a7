"""Colours shown behind text: which text colour stays readable on a given background.

WCAG 2.x relative luminance and contrast ratio. Black or white text, whichever contrasts more,
reaches at least 4.58:1 on any background, above the 4.5:1 WCAG AA asks of normal text; a
matrix's level colours can therefore be any colour the organisation chooses.
"""

import re

HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
BLACK, WHITE = "#000000", "#ffffff"
FALLBACK = "#adb5bd"  # a colour that is not "#rrggbb" shows as neutral grey


def parse_hex(colour):
    """(r, g, b) of "#rrggbb" (0-255 each), or None for anything else."""
    match = HEX.match(str(colour or "").strip())
    if not match:
        return None
    value = match.group(1)
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def relative_luminance(colour):
    """WCAG relative luminance of "#rrggbb" (0 for black, 1 for white)."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parse_hex(colour) or parse_hex(FALLBACK))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background):
    """Black or white: the text colour that contrasts more with `background`."""
    return BLACK if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE) \
        else WHITE


def safe_colour(colour):
    """`colour` when it is "#rrggbb", else the neutral fallback (never markup or CSS)."""
    return str(colour).strip().lower() if parse_hex(colour) else FALLBACK
