"""The text colour on a coloured badge (core.colours): WCAG contrast, checked against values
worked out by hand, and nothing but "#rrggbb" reaches the page."""

import pytest

from chainward.core.colours import contrast_ratio, safe_colour, text_colour_on
from chainward.core.templatetags.chainward import level_badge


def test_contrast_matches_known_pairs():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#ffffff", "#ffffff"), 2) == 1.0
    # WCAG's own borderline grey: #767676 on white passes AA, #777777 does not.
    assert contrast_ratio("#767676", "#ffffff") >= 4.5 > contrast_ratio("#777777", "#ffffff")


@pytest.mark.parametrize("background", ["#000000", "#ffffff", "#777777", "#0000ff", "#ff0000",
                                        "#00ff00", "#808080", "#ffeb3b", "#3f51b5"])
def test_black_or_white_text_always_reaches_aa(background):
    assert contrast_ratio(background, text_colour_on(background)) >= 4.5


@pytest.mark.parametrize("value", ['red" onload="x', "url(javascript:1)", "#fff", None, ""])
def test_anything_but_a_hex_colour_becomes_neutral_grey(value):
    assert safe_colour(value) == "#adb5bd"
    assert 'fill="#adb5bd"' in str(level_badge("x", value))


def test_the_label_is_escaped():
    assert "<b>" not in str(level_badge("<b>High</b>", "#ff9800"))
