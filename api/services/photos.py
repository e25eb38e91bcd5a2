"""Event photos: only JPEG, PNG or WebP under a size cap; EXIF GPS removed unless kept.

A phone photo's EXIF often holds where it was taken (the reporter's own position, or a
resident's home): personal data the event does not need beyond its own location.  The
GPS block is dropped by default; ``keep_gps=True`` keeps it on purpose (evidence).
JPEG pixels are re-saved with their own quantization tables (``quality="keep"``), so
the picture is not degraded.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from gis.errors import ConfigError

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
GPS_IFD = 0x8825
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    sha256: str
    gps_kept: bool
    had_gps: bool


def clean_photo(raw: bytes, *, filename: str, max_bytes: int, keep_gps: bool = False) -> Photo:
    """Check and clean an uploaded photo; ConfigError naming the file on bad input."""
    if not raw:
        raise ConfigError(f"{filename}: 文件为空 / the file is empty")
    if len(raw) > max_bytes:
        mb = f"{max_bytes / 2**20:g} MB"
        raise ConfigError(f"{filename}: 照片超过 {mb} / the photo exceeds {mb}")
    image = _open(raw, filename)
    exif = image.getexif()
    had_gps = GPS_IFD in exif and bool(exif.get_ifd(GPS_IFD))
    if keep_gps or not had_gps:
        data = raw
    else:
        del exif[GPS_IFD]
        data = _resave(image, exif)
    return Photo(
        data,
        FORMATS[str(image.format)],
        hashlib.sha256(data).hexdigest(),
        keep_gps and had_gps,
        had_gps,
    )


def _open(raw: bytes, filename: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(raw))
        if image.width * image.height > MAX_PIXELS:
            raise ConfigError(f"{filename}: 图像过大 / the image has too many pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ConfigError(f"{filename}: 不是可读的图片 / not a readable image ({exc})") from exc
    if image.format not in FORMATS:
        raise ConfigError(
            f"{filename}: 格式 {image.format} 不允许，只收 JPEG、PNG、WebP / "
            f"format {image.format} is not allowed (JPEG, PNG, WebP only)"
        )
    return image


def _resave(image: Image.Image, exif: Image.Exif) -> bytes:
    out = io.BytesIO()
    fmt = str(image.format)
    options: dict[str, object] = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        options["quality"] = "keep"
    else:
        options["lossless"] = fmt == "WEBP"
    image.save(out, format=fmt, **options)
    return out.getvalue()
