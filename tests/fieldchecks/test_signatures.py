"""Signatures on a check run (issue 15 item 2): the inspector's, and the driver's when the
template asks for it — a typed name and a drawn PNG (the signature pad's data URL, or a file),
checked by content and stored cleaned like a photo, with the time. A run whose template needs
the driver's signature is not completed without it, whichever path tries: the service, the
run page and the API."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from chainward.core.files import open_stored, stored_sha256
from chainward.fieldchecks import services
from chainward.fieldchecks.models import CheckRun
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry

from . import factories as f
from .test_checks import fixture

SECRET = "device-serial-0042"


def drawn_png():
    """A signature pad's drawing, with a PNG text chunk that must not be kept."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    for x in range(20, 280):
        image.putpixel((x, 60 + (x % 20) - 10), (10, 10, 10, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def data_url():
    return "data:image/png;base64," + base64.b64encode(drawn_png()).decode()


def png_file(name="signature.png"):
    return SimpleUploadedFile(name, drawn_png(), content_type="image/png")


@pytest.fixture
def departure(world):
    """A one-point tractor check at S1 whose template needs the driver's signature, and a
    draft run of it with the point answered."""
    org = world["org_a"]

    def build():
        template = f.template(org, "Tractor before departure", driver_signature_required=True)
        item = f.item(template, "Fifth wheel")
        run = f.run(template, world["s1"], vehicle_registration="EL 7K204")
        f.answer(run, item, outcome="pass")
        return run

    return fixture(build)


def stored(path):
    with open_stored(path) as handle:
        return handle.read()


def test_the_service_refuses_to_complete_without_the_drivers_signature(world, departure):
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(ValidationError) as refused:
        services.complete_run(officer, departure)
    assert "driver_signature" in refused.value.message_dict
    departure.refresh_from_db()
    assert departure.status == "draft"
    services.sign_run(officer, departure, role="driver", name=" Tomasz Zieliński ",
                      image=png_file())
    departure.refresh_from_db()
    assert departure.driver_signed_name == "Tomasz Zieliński" and departure.driver_signed_at
    raw = stored(departure.driver_signature)
    assert raw.startswith(b"\x89PNG") and SECRET.encode() not in raw  # cleaned
    assert departure.driver_signature_sha256 == stored_sha256(departure.driver_signature)
    entry = LedgerEntry.objects.filter(action="sign", object_id=str(departure.pk)).latest("seq")
    assert entry.after["sha256"] == departure.driver_signature_sha256
    services.complete_run(officer, departure)
    assert departure.status == "completed"
    # A completed run's signatures are final.
    with pytest.raises(ValidationError, match="signatures are final"):
        services.sign_run(officer, departure, role="inspector", name="A. Nowak",
                          image=png_file())


def test_a_signature_must_be_a_named_png(world, departure):
    officer = world["users"]["site_security_officer__site"]
    jpeg = io.BytesIO()
    Image.new("RGB", (50, 20), (255, 255, 255)).save(jpeg, "JPEG")
    with pytest.raises(ValidationError) as refused:
        services.sign_run(officer, departure, role="driver", name="T. Z.",
                          image=SimpleUploadedFile("s.jpg", jpeg.getvalue()))
    assert "must be a PNG" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.sign_run(officer, departure, role="driver", name=" ", image=png_file())
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.sign_run(officer, departure, role="driver", name="T. Z.",
                          image=services.signature_from_data_url(
                              "data:image/png;base64," + base64.b64encode(b"not a png").decode()))
    assert "signature" in refused.value.message_dict
    with pytest.raises(ValidationError, match="PNG data URL"):
        services.signature_from_data_url("data:text/html;base64,PHA+")
    departure.refresh_from_db()
    assert not departure.driver_signed_at


def test_the_run_page_takes_the_drawn_signatures_and_completes_only_when_signed(
        client, world, departure):
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get(departure.get_absolute_url())
    html = page.content.decode()
    assert 'data-signature-pad' in html and "chainward/signature.js" in html
    assert 'name="sig-driver-drawing"' in html and "<script>" not in html  # no inline script
    url = f"/fieldchecks/runs/{departure.pk}/answers/"
    response = client.post(url, {"complete": "1", "sig-inspector-name": "Adam Nowak",
                                 "sig-inspector-drawing": data_url()}, follow=True)
    assert "needs the driver&#x27;s signature" in response.content.decode()
    departure.refresh_from_db()
    assert departure.status == "draft" and departure.inspector_signed_name == "Adam Nowak"
    response = client.post(url, {"complete": "1", "sig-driver-name": "Tomasz Zieliński",
                                 "sig-driver-drawing": data_url()}, follow=True)
    departure.refresh_from_db()
    assert departure.status == "completed" and departure.driver_signed_name == "Tomasz Zieliński"
    assert "Signed by Tomasz Zieliński" in response.content.decode()
    signature = client.get(f"/fieldchecks/runs/{departure.pk}/signature/driver/")
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    assert SECRET.encode() not in b"".join(signature.streaming_content
                                           if signature.streaming else [signature.content])
    # Only within the run's scope.
    other = fixture(f.run, departure.template, world["s2"])
    assert client.get(f"/fieldchecks/runs/{other.pk}/signature/driver/").status_code == 404
    client.force_login(world["foreign"])
    assert client.get(f"/fieldchecks/runs/{departure.pk}/signature/driver/").status_code == 404


def test_the_api_refuses_completion_without_the_drivers_signature(client, world, departure):
    client.force_login(world["users"]["site_security_officer__site"])
    base = f"/api/fieldchecks/runs/{departure.pk}/"
    response = client.post(base + "complete/", {}, content_type="application/json")
    assert response.status_code == 400 and "driver_signature" in response.json()["errors"]
    response = client.post(base + "sign/", {"role": "driver", "name": "Tomasz Zieliński",
                                            "image_data": data_url()},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["driver_signed_name"] == "Tomasz Zieliński"
    response = client.post(base + "sign/", {"role": "inspector", "name": "Adam Nowak",
                                            "image": png_file()})  # multipart
    assert response.status_code == 200 and response.json()["inspector_signed_at"]
    response = client.post(base + "sign/", {"role": "driver", "name": "X"},
                           content_type="application/json")
    assert response.status_code == 400 and "signature" in response.json()["errors"]
    response = client.post(base + "complete/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert CheckRun.objects.get(pk=departure.pk).driver_signed_name == "Tomasz Zieliński"


def test_a_template_without_the_driver_requirement_completes_with_no_signature(world, departure):
    officer = world["users"]["site_security_officer__site"]
    template = departure.template
    with actor_context(None, name="fixture"):
        template.driver_signature_required = False
        template.save()
    departure.refresh_from_db()
    services.complete_run(officer, departure)
    assert departure.status == "completed" and not departure.driver_signed_at
