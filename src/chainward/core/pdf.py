"""HTML → PDF with WeasyPrint, reading only our own static files (never the network)."""

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

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
