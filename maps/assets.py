"""Offline JavaScript/CSS assets: fetched once from the npm registry, served by beatgrid.

folium's templates load Leaflet, jQuery, Bootstrap, Font Awesome and every plugin from
public CDNs at page load.  On a police intranet there is no internet, and those CDNs are
unreachable from China anyway, so every map page of beatgrid loads only the files below,
copied at *install* time (``python -m maps.vendor``) from the npm registry with
``npm pack`` into ``maps/static/vendor/`` and checked against the sha256 sums recorded in
``maps/static/assets.lock.json``.  Two delivery modes:

- ``"served"``: ``<script src="/maps/static/vendor/...">`` links, served by the router
  of :mod:`maps.web`;
- ``"inline"``: every script and stylesheet copied into the page, its images turned into
  ``data:`` URIs, so a single HTML file works from a USB stick with no server at all.

Only Leaflet and three small plugins are needed; jQuery, Bootstrap, Font Awesome and
awesome-markers are dropped from folium's defaults (the maps use none of them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gis.errors import BeatgridError

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
LOCK_PATH = STATIC_DIR / "assets.lock.json"
DEFAULT_BASE_URL = "/maps/static"


class AssetError(BeatgridError):
    """The offline assets are missing, or differ from the versions recorded in the lock."""


@dataclass(frozen=True)
class Package:
    """One npm package and the files taken from its tarball (paths inside ``package/``)."""

    name: str
    version: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


_MEASURE_IMAGES = tuple(
    f"dist/images/{n}{s}.png"
    for n in ("cancel", "check", "focus", "rulers", "start", "trash")
    for s in ("", "_@2X")
)

PACKAGES: tuple[Package, ...] = (
    Package(
        "leaflet",
        "1.9.4",
        (
            "dist/leaflet.js",
            "dist/leaflet.css",
            *(f"dist/images/{n}.png" for n in ("layers", "layers-2x", "marker-icon")),
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
            "LICENSE",
        ),
    ),
    Package(
        "leaflet.fullscreen",
        "3.0.0",
        ("Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg", "LICENSE"),
    ),
    Package(
        "leaflet-measure",
        "2.1.7",
        (
            "dist/leaflet-measure.min.js",
            "dist/leaflet-measure.css",
            *_MEASURE_IMAGES,
            "LICENSE",
        ),
    ),
    Package("leaflet.heat", "0.2.0", ("dist/leaflet-heat.js", "LICENSE")),
    Package(
        "@geoman-io/leaflet-geoman-free",
        "2.17.0",
        ("dist/leaflet-geoman.min.js", "dist/leaflet-geoman.css", "LICENSE"),
    ),
    Package(
        "swagger-ui-dist",
        "5.17.14",
        ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"),
    ),
)
"""Leaflet and its plugins for the maps; geoman for the grid editor; Swagger UI for ``/docs``."""

# (folium key, path under the static dir) — the scripts and stylesheets a page loads.
CORE_JS: tuple[tuple[str, str], ...] = (("leaflet", "vendor/leaflet/leaflet.js"),)
CORE_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "vendor/leaflet/leaflet.css"),
    ("beatgrid_css", "beatgrid.css"),
)
PLUGIN_JS: dict[str, tuple[tuple[str, str], ...]] = {
    "fullscreen": (("Control.Fullscreen.js", "vendor/leaflet.fullscreen/Control.FullScreen.js"),),
    "measure": (("leaflet_measure_js", "vendor/leaflet-measure/leaflet-measure.min.js"),),
    "heat": (("leaflet-heat.js", "vendor/leaflet.heat/leaflet-heat.js"),),
    "beatgrid": (("beatgrid_js", "beatgrid.js"),),
}
PLUGIN_CSS: dict[str, tuple[tuple[str, str], ...]] = {
    "fullscreen": (("Control.FullScreen.css", "vendor/leaflet.fullscreen/Control.FullScreen.css"),),
    "measure": (("leaflet_measure_css", "vendor/leaflet-measure/leaflet-measure.css"),),
    "heat": (),
    "beatgrid": (),
}


def _dest(package: Package, file: str) -> str:
    """Where a tarball file lands under ``vendor/``: ``<package>/<file without dist/>``.

    A scoped package (``@geoman-io/leaflet-geoman-free``) lands under its bare name.
    """
    return f"{package.name.rsplit('/', 1)[-1]}/{file.removeprefix('dist/')}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_pack(package: Package, workdir: Path, *, npm: str) -> Path:
    try:
        done = subprocess.run(
            [npm, "pack", package.spec, "--silent", "--pack-destination", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise AssetError(f"npm pack {package.spec} failed: {exc}") from exc
    return workdir / done.stdout.strip().splitlines()[-1]


def _extract(tarball: Path, package: Package, dest: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    with tarfile.open(tarball) as tar:
        for file in package.files:
            member = tar.extractfile(f"package/{file}")
            if member is None:
                raise AssetError(f"{tarball.name}: package/{file} is not a regular file")
            target = dest / _dest(package, file)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
            sums[_dest(package, file)] = _sha256(target)
    return sums


def vendor_assets(
    dest: Path = VENDOR_DIR,
    *,
    lock: Path = LOCK_PATH,
    npm: str = "npm",
    update_lock: bool = False,
) -> dict[str, dict[str, object]]:
    """Fetch the pinned npm packages and copy their dist files into ``dest``.

    Parameters
    ----------
    dest
        Folder to fill (``maps/static/vendor`` by default, git-ignored).
    lock
        The lock file with versions and sha256 sums.  Files are checked against it;
        a mismatch raises :class:`AssetError` unless ``update_lock`` is set.
    npm
        The npm executable; only ``npm pack`` is used (a registry download, no install).
    update_lock
        Write the lock from what was fetched instead of verifying against it.

    Returns
    -------
    dict
        The lock content: ``{package: {"version", "files": {path: sha256}}}``.
    """
    if shutil.which(npm) is None:
        raise AssetError(f"{npm!r} not found: install Node.js/npm to fetch the map assets")
    fetched: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="beatgrid-assets-") as tmp:
        for package in PACKAGES:
            tarball = _npm_pack(package, Path(tmp), npm=npm)
            fetched[package.name] = {
                "version": package.version,
                "files": _extract(tarball, package, dest),
            }
    if update_lock or not lock.exists():
        lock.write_text(json.dumps(fetched, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    else:
        verify_assets(dest, lock=lock)
    return fetched


def verify_assets(root: Path = VENDOR_DIR, *, lock: Path = LOCK_PATH) -> None:
    """Raise :class:`AssetError` naming every vendored file missing or not matching the lock."""
    recorded = json.loads(lock.read_text(encoding="utf-8"))
    problems = []
    for name, entry in recorded.items():
        for rel, digest in entry["files"].items():
            path = root / rel
            if not path.is_file():
                problems.append(f"{rel} missing")
            elif _sha256(path) != digest:
                problems.append(f"{rel} differs from {name}@{entry['version']} in {lock.name}")
    if problems:
        raise AssetError(
            f"offline map assets in {root}: {'; '.join(problems[:5])}"
            f"{' …' if len(problems) > 5 else ''} — run `python -m maps.vendor`"
        )


def asset_links(
    plugins: tuple[str, ...], *, base_url: str = DEFAULT_BASE_URL
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (key, url) lists for folium's ``default_js`` / ``default_css`` of a page."""
    base = base_url.rstrip("/")
    js = [(k, f"{base}/{p}") for k, p in CORE_JS]
    css = [(k, f"{base}/{p}") for k, p in CORE_CSS]
    for plugin in plugins:
        js += [(k, f"{base}/{p}") for k, p in PLUGIN_JS[plugin]]
        css += [(k, f"{base}/{p}") for k, p in PLUGIN_CSS[plugin]]
    return js, css


_SCRIPT = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<ref>(?!data:|#)[^)'\"]+)(?P=q)\)")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MIME = {".png": "image/png", ".svg": "image/svg+xml"}


def _local(url: str, base_url: str) -> Path:
    base = base_url.rstrip("/") + "/"
    if not url.startswith(base):
        raise AssetError(f"page links {url!r}, which is not a beatgrid asset under {base}")
    path = STATIC_DIR / url.removeprefix(base)
    if not path.is_file():
        raise AssetError(f"{path} missing — run `python -m maps.vendor`")
    return path


def _data_uris(css: str, folder: Path) -> str:
    def encode(match: re.Match[str]) -> str:
        file = folder / match["ref"]
        payload = base64.b64encode(file.read_bytes()).decode("ascii")
        return f'url("data:{_MIME[file.suffix]};base64,{payload}")'

    return _CSS_URL.sub(encode, css)


def inline_assets(html: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """Replace every beatgrid script/stylesheet link in ``html`` by the file's content."""

    def script(match: re.Match[str]) -> str:
        code = _local(match["url"], base_url).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        path = _local(match["url"], base_url)
        css = _CSS_COMMENT.sub("", path.read_text(encoding="utf-8"))  # comments hold URLs
        return "<style>" + _data_uris(css, path.parent) + "</style>"

    return _LINK.sub(style, _SCRIPT.sub(script, html))
