"""Offline assets: pinned by the lock, verified, inlined with images as data URIs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from maps.assets import (
    LOCK_PATH,
    PACKAGES,
    VENDOR_DIR,
    AssetError,
    asset_links,
    inline_assets,
    vendor_assets,
    verify_assets,
)

needs_vendor = pytest.mark.skipif(
    not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file(),
    reason="assets not vendored: run `python -m maps.vendor`",
)


def test_lock_records_every_pinned_file() -> None:
    lock = json.loads(LOCK_PATH.read_text(encoding="utf-8"))
    assert {p.name: p.version for p in PACKAGES} == {k: v["version"] for k, v in lock.items()}
    for package in PACKAGES:
        files = lock[package.name]["files"]
        assert len(files) == len(package.files)
        assert all(len(digest) == 64 for digest in files.values())


@needs_vendor
def test_vendored_files_match_the_lock() -> None:
    verify_assets(VENDOR_DIR)


@needs_vendor
@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_damaged_vendor_dir_is_named(tmp_path: Path, damage: str) -> None:
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, copy)
    target = copy / "leaflet" / "leaflet.js"
    if damage == "missing":
        target.unlink()
    else:
        target.write_text("alert('not leaflet')", encoding="utf-8")
    with pytest.raises(AssetError, match=r"leaflet/leaflet\.js (missing|differs)"):
        verify_assets(copy)


def test_links_follow_the_mount_point() -> None:
    js, css = asset_links(("heat",), base_url="/beatgrid/maps/static/")
    assert js[0] == ("leaflet", "/beatgrid/maps/static/vendor/leaflet/leaflet.js")
    assert all(url.startswith("/beatgrid/maps/static/") for _, url in js + css)
    assert any(url.endswith("leaflet-heat.js") for _, url in js)


@needs_vendor
def test_inline_turns_links_into_content_and_images_into_data_uris() -> None:
    js, css = asset_links(("measure",))
    page = "".join(f'<script src="{u}"></script>' for _, u in js) + "".join(
        f'<link rel="stylesheet" href="{u}"/>' for _, u in css
    )
    out = inline_assets(page)
    assert "<script src" not in out and "<link" not in out
    assert "data:image/png;base64," in out  # leaflet's layer icon, measure's ruler
    assert "url(images/" not in out


def test_inline_refuses_a_foreign_link() -> None:
    page = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    with pytest.raises(AssetError, match="not a beatgrid asset"):
        inline_assets(page)


def test_vendor_without_npm_says_so(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="npm"):
        vendor_assets(tmp_path, lock=tmp_path / "lock.json", npm="no-such-npm-binary")
