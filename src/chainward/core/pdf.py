"""HTML → PDF with WeasyPrint, reading only our own static files (never the network)."""

import io
from datetime import UTC

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

STATIC_PREFIX = "chainward-static:"


def fetch_own_static(url, *args, **kwargs):
    """WeasyPrint URL fetcher: `chainward-static:<path>` resolves through staticfiles only."""
    if not url.startswith(STATIC_PREFIX):
        raise ValueError(f"PDF rendering may not fetch {url!r}")
    path = finders.find(url[len(STATIC_PREFIX):])
    if path is None:
        raise ValueError(f"unknown static file {url!r}")
    with open(path, "rb") as handle:
        return {"string": handle.read(), "mime_type": "text/css"}


def render_pdf(template, context, request=None):
    """PDF/A-3b bytes of a template (WeasyPrint is imported only when a PDF is made)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, url_fetcher=fetch_own_static, base_url=STATIC_PREFIX).write_pdf(
        pdf_variant="pdf/a-3b")


def pdf_response(body, filename):
    """A PDF download."""
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WatermarkError(Exception):
    """The PDF could not be stamped (damaged or password-protected); do not serve it unstamped."""


# --- Watermarks ---------------------------------------------------------------------------------
def watermark_text(who, when=None, *, label="RESTRICTED"):
    """`RESTRICTED — downloaded by jane@abc.example on 2026-11-27 14:03 UTC`."""
    when = (when or timezone.now()).astimezone(UTC)
    return f"{label} — downloaded by {who} on {when:%Y-%m-%d %H:%M} UTC"


_OVERLAY = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width:.3f}pt {height:.3f}pt; margin: 0 }}
html, body {{ margin: 0; background: transparent }}
.stamp {{ position: fixed; left: 0; right: 0; bottom: 0; padding: 2pt 10pt;
  font: bold {font:.1f}pt "DejaVu Sans", "Liberation Sans", sans-serif; color: #a8001c;
  background: rgba(255, 255, 255, 0.6); text-align: center; overflow-wrap: anywhere }}
</style></head><body><div class="stamp">{text}</div></body></html>"""


def _overlay_page(width, height, text):
    from pypdf import PdfReader
    from weasyprint import HTML

    font = max(4.0, min(8.0, width / 75))
    html = _OVERLAY.format(width=width, height=height, font=font, text=escape(text))
    pdf = HTML(string=html, url_fetcher=fetch_own_static).write_pdf()
    return PdfReader(io.BytesIO(pdf)).pages[0]


def watermark_pdf(pdf_bytes, text):
    """The PDF with `text` stamped along the bottom of every page, as seen on screen.

    Page sizes, rotation and the original content are kept; the stamp is real text (it can be
    searched and extracted). Raises `WatermarkError` for a PDF that cannot be read or is
    password-protected; serve nothing rather than an unstamped restricted file.
    """
    from pypdf import PdfReader, PdfWriter, Transformation

    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        if reader.is_encrypted and not reader.decrypt(""):
            raise WatermarkError("The PDF is password-protected, so it cannot be watermarked.")
        writer = PdfWriter(clone_from=reader)
        overlays = {}
        for page in writer.pages:
            box = page.cropbox
            rotation = page.rotation % 360
            width, height = abs(float(box.width)), abs(float(box.height))
            if rotation in (90, 270):
                width, height = height, width
            key = (round(width, 2), round(height, 2))
            if key not in overlays:
                overlays[key] = _overlay_page(width, height, text)
            # Turn the upright stamp against the page's /Rotate, then move it onto the crop box.
            turn = Transformation().rotate(rotation)
            corners = [turn.apply_on(point) for point in
                       ((0, 0), (width, 0), (0, height), (width, height))]
            shift_x = min(float(box.left), float(box.right)) - min(x for x, _ in corners)
            shift_y = min(float(box.bottom), float(box.top)) - min(y for _, y in corners)
            page.merge_transformed_page(overlays[key], turn.translate(shift_x, shift_y),
                                        over=True, expand=False)
        out = io.BytesIO()
        writer.write(out)
    except WatermarkError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged input
        raise WatermarkError("The PDF could not be read, so it cannot be watermarked.") from exc
    return out.getvalue()
