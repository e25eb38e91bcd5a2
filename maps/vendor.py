"""Fetch the offline map assets: ``python -m maps.vendor [--update-lock] [--dest DIR]``.

Run once at install time (``make install``); needs ``npm`` and the npm registry, never a
CDN.  Verifies every file against ``maps/static/assets.lock.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maps.assets import LOCK_PATH, VENDOR_DIR, AssetError, vendor_assets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maps.vendor", description=__doc__)
    parser.add_argument("--dest", type=Path, default=VENDOR_DIR)
    parser.add_argument("--lock", type=Path, default=LOCK_PATH)
    parser.add_argument("--update-lock", action="store_true")
    args = parser.parse_args(argv)
    try:
        fetched = vendor_assets(args.dest, lock=args.lock, update_lock=args.update_lock)
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, entry in fetched.items():
        print(f"{name}@{entry['version']}: {len(entry['files'])} files")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
