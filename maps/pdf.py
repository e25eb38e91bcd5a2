"""Print an HTML document to PDF with the system's Chromium (headless, offline).

Chromium lays out Chinese text and tables as a browser does and embeds the fonts, so the
PDF reads like the HTML; no request leaves the machine (the page is a local file whose
images are inline, and Chromium's background networking is switched off).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from gis.errors import ConfigError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def chromium_path(explicit: str | None = None) -> str:
    """The Chromium executable (``explicit`` or the first found on PATH)."""
    for name in (explicit,) if explicit else CANDIDATES:
        found = shutil.which(name) if name else None
        if found:
            return found
    raise ConfigError(
        "no Chromium found to print the PDF (Debian: apt-get install chromium); write DOCX or "
        "HTML instead / 未找到 Chromium，无法生成 PDF（可安装 chromium，或改为输出 DOCX、HTML）"
    )


def html_to_pdf(
    html: str, path: Path, *, chromium: str | None = None, timeout: float = 120
) -> Path:
    """Write ``html`` as a PDF at ``path``; the file appears whole or not at all."""
    exe = chromium_path(chromium)
    with tempfile.TemporaryDirectory(prefix="beatgrid-pdf-") as tmp:
        page = Path(tmp) / "document.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "document.pdf"
        cmd = [
            exe,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace")[-300:]
            raise ConfigError(f"Chromium could not print the PDF / PDF 生成失败: {tail}")
        shutil.move(str(out), path)
    return path
