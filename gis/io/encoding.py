"""Text encodings of attribute tables: shapefile ``.dbf`` and CSV files.

Chinese shapefiles often carry GBK attribute tables without a ``.cpg`` file saying so;
GDAL then decodes them as Latin-1 and the names come out as mojibake.  We decide the
encoding the way a person would: try to decode the text fields strictly as UTF-8, then as
GB18030 (a superset of GBK and GB2312); the first that decodes everything wins.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np

CANDIDATES = ("utf-8", "gb18030")
"""Encodings tried, in order, when a file does not declare one."""

FALLBACK = "latin-1"
"""Decodes any byte string: used when nothing else decodes (GDAL's own default)."""

_CPG_SUFFIXES = (".cpg", ".cst")  # .cst: the same thing, written by Socrata exports
SAMPLE_BYTES = 4 * 2**20
"""Of a ``.dbf``, only this much is read to detect the encoding (never the whole file)."""
_CPG_BYTES = 200


def normalize_encoding(name: str) -> str:
    """Canonical spelling of an encoding name, as Python spells it (``GBK`` → ``gbk``)."""
    import codecs

    name = name.strip()
    if name.isdigit():  # ANSI code page numbers, as ArcGIS writes them: "936"
        name = f"cp{name}"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def detect_bytes(data: bytes) -> str:
    """The first of :data:`CANDIDATES` that decodes ``data`` without error, else Latin-1.

    >>> detect_bytes("网格".encode("gbk")), detect_bytes("网格".encode("utf-8"))
    ('gb18030', 'utf-8')
    """
    for candidate in CANDIDATES:
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return FALLBACK


def dbf_text_bytes(dbf: bytes) -> bytes:
    """The bytes of every character (``C``) field of a dBase table, joined by newlines.

    Only the text fields are decoded: numeric fields are ASCII, and the record separators
    and padding are not text.  Each field is joined column by column so that a character
    cut at a field boundary is not glued onto the next field's bytes.
    """
    if len(dbf) < 32:
        return b""
    n_records, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    fields: list[tuple[int, int]] = []
    offset = 1  # the deletion flag
    for pos in range(32, header_len - 1, 32):
        desc = dbf[pos : pos + 32]
        if not desc or desc[0] == 0x0D:
            break
        ftype, flen = chr(desc[11]), desc[16]
        if ftype == "C":
            fields.append((offset, flen))
        offset += flen
    body = dbf[header_len : header_len + n_records * record_len]
    n = len(body) // record_len if record_len else 0
    if n == 0 or not fields:
        return b""
    table = np.frombuffer(body[: n * record_len], dtype=np.uint8).reshape(n, record_len)
    parts = [table[:, start : start + width].tobytes() for start, width in fields]
    return b"\n".join(parts)


def shapefile_encoding(path: Path) -> tuple[str, str]:
    """The encoding of a shapefile's attributes (a ``.shp`` or a ``.zip`` holding one).

    Returns
    -------
    (encoding, how)
        ``how`` is ``"cpg"`` when a ``.cpg`` file declared it, ``"detected"`` otherwise.
    """
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = {Path(n).suffix.lower(): n for n in zf.namelist()}
            cpg = next((names[s] for s in _CPG_SUFFIXES if s in names), None)
            if cpg is not None:
                with zf.open(cpg) as f:
                    declared = f.read(_CPG_BYTES)
                return normalize_encoding(declared.decode("ascii", "replace")), "cpg"
            dbf = b""
            if ".dbf" in names:
                with zf.open(names[".dbf"]) as f:
                    dbf = f.read(SAMPLE_BYTES)
    else:
        for suffix in _CPG_SUFFIXES:
            cpg_path = path.with_suffix(suffix)
            if cpg_path.exists():
                with cpg_path.open("rb") as f:
                    text = f.read(_CPG_BYTES).decode("ascii", "replace")
                return normalize_encoding(text), "cpg"
        dbf_path = path.with_suffix(".dbf")
        dbf = b""
        if dbf_path.exists():
            with dbf_path.open("rb") as f:
                dbf = f.read(SAMPLE_BYTES)
    return detect_bytes(dbf_text_bytes(dbf)), "detected"


def text_encoding(data: bytes) -> str:
    """Encoding of a CSV file's bytes: ``utf-8-sig`` (with a BOM), ``utf-8``, ``gb18030``."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return detect_bytes(data)
