"""Field-check photos are stored without their metadata but the time they were taken, upright and
at most 2,048 pixels on a side (issue 15 item 2), whichever path uploads them: the service, the
run page and the API. The photos are made here with Pillow, with the EXIF a phone writes (GPS
position, make, model, orientation, time); the stored file is read back from storage."""

import io
import json
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from chainward.core.files import open_stored, stored_sha256
from chainward.fieldchecks import services
from chainward.fieldchecks.models import CheckAnswer
from chainward.ledger.models import LedgerEntry

from . import factories as f
from .test_checks import fixture, items, trailer  # noqa: F401 - trailer is a fixture

TAKEN = "2026:11:30 06:42:10"
MAKE, MODEL = "PhoneMaker", "Model X-Secret-42"
GPS_IFD, EXIF_IFD = 0x8825, 0x8769


def phone_jpeg(size=(400, 300), orientation=6, name="door.jpg"):
    """A JPEG as a phone writes it: GPS position, make and model, rotated by a tag."""
    image = Image.new("RGB", size, (30, 90, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 4, size[1] // 4))  # a corner to find later
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = MAKE, MODEL
    exif[0x0112] = orientation
    exif[0x0132] = TAKEN
    exif.get_ifd(EXIF_IFD)[0x9003] = TAKEN
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (53.0, 33.0, 3.0)
    gps[3], gps[4] = "E", (10.0, 0.0, 44.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_image(answer):
    with open_stored(answer.photo) as handle:
        raw = handle.read()
    return raw, Image.open(io.BytesIO(raw))


def assert_clean(answer, *, size):
    raw, image = stored_image(answer)
    exif = image.getexif()
    assert MAKE.encode() not in raw and MODEL.encode() not in raw
    assert not exif.get_ifd(GPS_IFD) and GPS_IFD not in exif
    assert 0x010F not in exif and 0x0110 not in exif and 0x0112 not in exif
    assert exif.get(0x0132) == TAKEN and exif.get_ifd(EXIF_IFD).get(0x9003) == TAKEN
    assert image.size == size
    # Upright: the yellow corner, top left in the sensor's frame, is top right after the
    # 90° turn that orientation 6 asks for.
    rgb = image.convert("RGB")
    assert rgb.getpixel((size[0] - 2, 1))[0] > 200 and rgb.getpixel((1, 1))[0] < 100
    # What the ledger holds is the stored (cleaned) file.
    assert answer.photo_sha256 == stored_sha256(answer.photo)
    upload = LedgerEntry.objects.filter(action="upload", object_id=str(answer.pk)).latest("seq")
    assert upload.after["sha256"] == answer.photo_sha256


def test_the_service_stores_the_photo_upright_without_gps_or_device(world, trailer):  # noqa: F811
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    doors = items(trailer)[1]
    answer = services.set_answer(manager, run, doors, outcome="pass", photo=phone_jpeg())
    assert answer.photo_type == "image/jpeg" and answer.photo_name == "door.jpg"
    assert_clean(answer, size=(300, 400))


def test_a_large_photo_is_resized_to_2048_pixels_on_its_longer_side(world, trailer):  # noqa: F811
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    doors = items(trailer)[1]
    answer = services.set_answer(manager, run, doors, outcome="pass",
                                 photo=phone_jpeg(size=(4096, 3072)))
    assert_clean(answer, size=(1536, 2048))


def test_the_run_page_and_the_api_store_the_cleaned_photo(client, world, trailer):  # noqa: F811
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    run = fixture(f.run, trailer, world["s1"])
    floor, doors, _ = items(trailer)
    response = client.post(f"/api/fieldchecks/runs/{run.pk}/answer/", {
        "item": doors.pk, "outcome": "pass", "photo": phone_jpeg()})
    assert response.status_code in (200, 201), response.content[:500]
    assert_clean(CheckAnswer.objects.get(run=run, item=doors), size=(300, 400))
    other = fixture(f.run, trailer, world["s1"])
    response = client.post(f"/fieldchecks/runs/{other.pk}/answers/", {
        f"i{floor.pk}-outcome": "pass", f"i{doors.pk}-outcome": "pass",
        f"i{doors.pk}-photo": phone_jpeg()})
    assert response.status_code in (200, 302), response.content[:500]
    assert_clean(CheckAnswer.objects.get(run=other, item=doors), size=(300, 400))


def test_png_text_chunks_are_dropped_and_a_gif_becomes_a_png(world, trailer):  # noqa: F811
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    doors = items(trailer)[1]
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "53.5507 N 10.0012 E gate 4")
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    answer = services.set_answer(manager, run, doors, outcome="pass", photo=SimpleUploadedFile(
        "door.png", buffer.getvalue(), content_type="image/png"))
    raw, image = stored_image(answer)
    assert b"Location" not in raw and b"gate 4" not in raw and image.size == (20, 10)
    buffer = io.BytesIO()
    Image.new("P", (12, 12)).save(buffer, "GIF", comment=b"taken at gate 4")
    answer = services.set_answer(manager, run, doors, outcome="pass", photo=SimpleUploadedFile(
        "door.gif", buffer.getvalue(), content_type="image/gif"))
    raw, image = stored_image(answer)
    assert image.format == "PNG" and answer.photo_name == "door.png" and b"gate 4" not in raw


def _png_claiming(width, height):
    """A PNG header claiming `width` × `height` pixels, with almost no pixel data."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("content", [_png_claiming(40_000, 40_000), _png_claiming(20, 20)],
                         ids=["decompression-bomb", "truncated"])
@pytest.mark.parametrize("weasyprint_loaded", [False, True])
def test_an_image_that_cannot_be_decoded_safely_is_a_field_error_and_nothing_is_stored(
        client, world, trailer, content, weasyprint_loaded, monkeypatch):  # noqa: F811
    # weasyprint, once imported, lets Pillow load truncated images process-wide; a truncated
    # photo is refused either way (the full suite found it: weasyprint was loaded by then).
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_loaded)
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    doors = items(trailer)[1]
    with pytest.raises(ValidationError) as refused:
        services.set_answer(manager, run, doors, outcome="pass", photo=SimpleUploadedFile(
            "door.png", content, content_type="image/png"))
    assert "photo" in refused.value.message_dict
    client.force_login(manager)
    response = client.post(f"/api/fieldchecks/runs/{run.pk}/answer/", {
        "item": doors.pk, "outcome": "pass",
        "photo": SimpleUploadedFile("door.png", content, content_type="image/png")})
    assert response.status_code == 400, response.content[:500]
    assert "photo" in json.dumps(response.json())
    assert not CheckAnswer.objects.exists()
