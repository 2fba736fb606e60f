"""Stored files (evidence photos, paper-signature scans): bytes kept with their record.

Files live in the database, in the same transaction as the record that points at them, so
an upload is never half-written and a backup holds everything. They are served only by
the authorised route in ``engagement/ui/files.py`` (never Reflex's public ``/_upload``),
which asks the owning feature whether the caller may see the file.

Content is checked from the bytes, not the name: images are decoded, re-encoded as JPEG
(which drops EXIF, including GPS position) and bounded in size; PDFs must start with the
PDF signature.

Decompression bombs (a few KB of PNG that decode to gigabytes) are refused from the image
header, before any pixel is decoded: width x height above ``MAX_IMAGE_PIXELS`` is refused,
and Pillow's own bomb warning is an error. Re-encoding starts from the pixels alone, so no
metadata block of the original (EXIF, XMP, ICC, PNG text, JPEG COM comments) survives.
Upload handlers read at most ``MAX_UPLOAD_BYTES`` + 1 (``engagement/ui/uploads.py``), after
checking who is asking.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from engagement.core import i18n
from engagement.core.access import Actor
from engagement.core.db import UTCDateTime
from engagement.core.errors import Invalid, NotFound

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 2000
#: The largest image accepted, in pixels (a 48 MP phone photo is 8000 x 6000).
MAX_IMAGE_PIXELS = 50_000_000
JPEG_QUALITY = 85
_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"})


def _pillow():
    """Pillow, imported on first use, with its bomb guard at our limit and its warning an error."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS: make that an error too.
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    return Image, ImageOps, UnidentifiedImageError


def _megabytes(size: int) -> str:
    """A size in MB with one decimal, in the reader's convention ("2.5" in English, "2,5" in Vietnamese)."""
    from babel.numbers import format_decimal

    return format_decimal(size / 1048576, format="#,##0.0", locale=i18n.LOCALES.get(i18n.current(), "en_GB"))


class StoredFile(SQLModel, table=True):
    """One uploaded file, after cleaning."""

    __tablename__ = "stored_file"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=40, index=True)
    content_type: str = Field(max_length=80)
    filename: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None)


@dataclass(frozen=True)
class CleanFile:
    """Bytes ready to store."""

    data: bytes
    content_type: str
    extension: str


def clean_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_side: int = MAX_IMAGE_SIDE,
                max_pixels: int = MAX_IMAGE_PIXELS) -> CleanFile:
    """Check that ``data`` is a real photo and re-encode it as a metadata-free JPEG.

    The size in pixels is read from the header and checked before anything is decoded.

    Raises:
        Invalid: empty, too large (bytes or pixels), not an image, or a broken image.
    """
    if not data:
        raise Invalid("The file is empty. Choose a photo (JPEG, PNG or WebP).")
    if len(data) > max_bytes:
        raise Invalid("The photo is {size} MB; the limit is {limit} MB. "
                      "Take it again at a lower resolution or send a smaller copy.",
                      size=_megabytes(len(data)), limit=max_bytes // 1048576)
    image_mod, image_ops, unidentified = _pillow()
    try:
        with image_mod.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.format not in _IMAGE_FORMATS:
                raise Invalid("This file is not a photo we accept. Send a JPEG, PNG or WebP image.")
            width, height = probe.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise Invalid("The photo is {width} x {height} pixels; the limit is {limit} million pixels. "
                              "Send a smaller copy.", width=width, height=height,
                              limit=max_pixels // 1_000_000)
            probe.verify()
        with image_mod.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale when it can
            upright = image_ops.exif_transpose(image)
            upright.thumbnail((max_side, max_side))
            # Only the pixels go on: a new image carries none of the original's metadata blocks.
            pixels = upright.convert("RGB")
            clean = image_mod.new("RGB", pixels.size)
            clean.paste(pixels)
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except Invalid:
        raise
    except (image_mod.DecompressionBombError, image_mod.DecompressionBombWarning):
        raise Invalid("The photo is too large in pixels; the limit is {limit} million pixels. Send a smaller copy.",
                      limit=max_pixels // 1_000_000) from None
    except unidentified:
        raise Invalid("This file is not a photo we can read. Send a JPEG, PNG or WebP image.") from None
    except (OSError, ValueError, SyntaxError, MemoryError):
        raise Invalid("The photo is damaged and cannot be opened. Take it again or send another copy.") from None
    return CleanFile(data=out.getvalue(), content_type="image/jpeg", extension="jpg")


def clean_scan(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CleanFile:
    """A scanned paper document: a PDF (checked by signature) or a photo (re-encoded).

    Raises:
        Invalid: empty, too large, or neither a PDF nor an image.
    """
    if data.startswith(b"%PDF-"):
        if len(data) > max_bytes:
            raise Invalid("The scan is {size} MB; the limit is {limit} MB.",
                          size=_megabytes(len(data)), limit=max_bytes // 1048576)
        return CleanFile(data=data, content_type="application/pdf", extension="pdf")
    return clean_image(data, max_bytes=max_bytes)


def save(
    session: Session,
    *,
    clean: CleanFile,
    purpose: str,
    name: str,
    actor: Actor | None,
    now: datetime,
) -> StoredFile:
    """Store cleaned bytes in the caller's transaction and return the row (with its id)."""
    stem = "".join(ch for ch in name if ch.isalnum() or ch in "-_ ")[:150].strip() or purpose.replace(".", "-")
    row = StoredFile(
        purpose=purpose,
        content_type=clean.content_type,
        filename=f"{stem}.{clean.extension}",
        size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
        data=clean.data,
        created_at=now,
        created_by_account_id=actor.account_id if actor else None,
    )
    session.add(row)
    session.flush()
    return row


def load(session: Session, file_id: int) -> StoredFile:
    """The stored file, or NotFound."""
    row = session.get(StoredFile, file_id)
    if row is None:
        raise NotFound("This file does not exist.")
    return row
