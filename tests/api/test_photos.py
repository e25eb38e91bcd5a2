"""Photo checks without HTTP: formats, size, pixel bombs, GPS removed from JPEG, PNG, WebP."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError

from api.services.photos import GPS_IFD, clean_photo
from api.settings import Settings
from gis.errors import ConfigError

GPS = {1: "N", 2: (32.0, 0.0, 18.0), 3: "E", 4: (118.0, 42.0, 18.0)}


def _image(fmt: str, *, gps: bool, size: tuple[int, int] = (40, 30)) -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Phone"  # Model
    if gps:
        exif[GPS_IFD] = GPS
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_gps_is_removed_and_the_rest_kept(fmt: str, mime: str) -> None:
    photo = clean_photo(_image(fmt, gps=True), filename="p", max_bytes=2**20)
    exif = Image.open(io.BytesIO(photo.data)).getexif()
    assert photo.content_type == mime and photo.had_gps and not photo.gps_kept
    assert not exif.get_ifd(GPS_IFD) and exif[0x0110] == "Phone"
    assert Image.open(io.BytesIO(photo.data)).size == (40, 30)


def test_kept_on_purpose_and_untouched_without_gps() -> None:
    raw = _image("JPEG", gps=True)
    kept = clean_photo(raw, filename="p", max_bytes=2**20, keep_gps=True)
    assert kept.gps_kept and kept.data == raw
    plain = _image("JPEG", gps=False)
    assert clean_photo(plain, filename="p", max_bytes=2**20).data == plain


@pytest.mark.parametrize(
    ("raw", "limit", "words"),
    [
        (_image("JPEG", gps=False), 100, "exceeds"),
        (_image("BMP", gps=False), 2**20, "BMP is not allowed"),
        (b"\xff\xd8\xff" + b"\0" * 50, 2**20, "not a readable image"),
        (b"", 2**20, "empty"),
        (_image("PNG", gps=False, size=(10_000, 6_000)), 2**24, "too many pixels"),
    ],
)
def test_bad_photos_name_the_file(raw: bytes, limit: int, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as info:
        clean_photo(raw, filename="现场.jpg", max_bytes=limit)
    assert "现场.jpg" in str(info.value)


def test_a_broken_rules_file_stops_the_settings(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('[categories."a"]\nrespond_hours = 1\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="close_hours"):
        Settings(event_rules=str(bad))
