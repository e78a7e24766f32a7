"""Photos taken in the field, made safe to keep (issue 15 item 2).

A phone's photo carries more than the picture: the GPS position of the person who took it, the
phone's make, model and serial number, the software, a thumbnail of the uncropped original. A
check run records its position only with the inspector's consent, on the run itself; the photo
must not carry it around that consent into evidence packs and downloads. So every photo is
decoded and written again before it is stored:

* upright: the EXIF orientation is applied to the pixels, not left as a tag;
* at most MAX_SIDE pixels on its longer side (a 12-megapixel phone photo is 3-5 MB; 2048 px is
  plenty to read a seal number or see a bent locking bar);
* with no metadata but the time it was taken (EXIF DateTimeOriginal, or DateTime): no GPS, no
  device, no thumbnail, no PNG text, no XMP, no ICC profile;
* JPEG, PNG and WebP keep their format; a GIF (never a camera's) becomes a PNG of its first
  frame.

What is stored, hashed and ledgered is the cleaned file; the uploaded one is never written.
"""

import contextlib
import io
import os
import threading
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_SIDE = 2048
JPEG_QUALITY = 85
# EXIF tags: DateTime in the main directory, DateTimeOriginal in the Exif sub-directory.
DATETIME, EXIF_IFD, DATETIME_ORIGINAL = 0x0132, 0x8769, 0x9003
# What each accepted photo kind (core.files ALLOWED key) is written as: (Pillow format, extension,
# content type).
OUTPUT = {"jpeg": ("JPEG", "jpg", "image/jpeg"), "png": ("PNG", "png", "image/png"),
          "webp": ("WEBP", "webp", "image/webp"), "gif": ("PNG", "png", "image/png")}


_strict = threading.Lock()


@contextlib.contextmanager
def _truncated_images_refused():
    """Decode with Pillow's truncated-image tolerance off. weasyprint turns it on for the whole
    process when it is imported (`ImageFile.LOAD_TRUNCATED_IMAGES = True`), after which a photo
    cut off in transfer would be stored half grey; the flag is process-wide, so it is switched
    under a lock and put back."""
    with _strict:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def taken_at(image):
    """The EXIF time the photo was taken ("YYYY:MM:DD HH:MM:SS"), or None."""
    exif = image.getexif()
    value = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    return value if isinstance(value, str) and value.strip() else None


def clean_photo(upload, kind):
    """The photo written again without metadata but its time, upright and at most MAX_SIDE
    pixels on a side, as a new uploaded file; ValidationError naming `photo` when it cannot be
    decoded or claims more pixels than Pillow's decompression-bomb limit."""
    upload.seek(0)
    try:
        with warnings.catch_warnings(), _truncated_images_refused():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError({"photo": "The image claims more pixels than a photo has; take "
                                        "the photo again or upload it as a smaller image."}) \
            from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({"photo": f"The image cannot be read ({exc.__class__.__name__}); "
                                        f"take the photo again."}) from None
    finally:
        upload.seek(0)
    when = taken_at(image)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    fmt, extension, content_type = OUTPUT[kind]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        image = image.convert("RGBA")
    options = {"quality": JPEG_QUALITY} if fmt in ("JPEG", "WEBP") else {}
    if when:
        exif = Image.Exif()
        exif[DATETIME] = when
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = when
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    image.save(out, fmt, **options)
    stem = os.path.splitext(os.path.basename(getattr(upload, "name", "") or "photo"))[0]
    return SimpleUploadedFile(f"{stem or 'photo'}.{extension}", out.getvalue(), content_type)
