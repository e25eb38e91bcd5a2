"""Time of a month briefing (月讲评) on the demo district, stage by stage, against the goal
of 10 s, and the time of the plain parts it is made of (the reviews alone).

    python benchmarks/bench_brief.py [--demo data/demo] [--at 2025-11-20]

Prints, in one run: loading the district, the consistency check, ``make_brief`` (its two
reviews inside), the maps, the DOCX; and ``hotspot_review`` + ``coverage_review`` called
alone, so the briefing's own overhead (figures, duty lists, assessment) shows as the
difference.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from data.generate import generate_demo
from gis.briefing import make_brief
from gis.briefing.document import brief_blocks
from gis.checks import check_district
from gis.coverage import coverage_review
from gis.district import load_district
from gis.documents import Letterhead, write_docx
from gis.hotspots import hotspot_review
from maps.brief_figures import brief_images


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<38}{time.perf_counter() - t0:8.2f} s")
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", type=Path, default=None)
    parser.add_argument("--at", default="2025-11-20")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        manifest = args.demo or generate_demo(Path(tmp) / "demo", seed=20161013)
        district, _ = _timed("load_district", load_district, manifest)
        check, _ = _timed("check_district", check_district, district)
        brief, t_brief = _timed("make_brief(month)", make_brief, district, kind="month",
                                at=args.at, check=check)  # fmt: skip
        images, t_maps = _timed("brief_images (4 maps)", brief_images, brief)
        blocks = brief_blocks(brief, images)
        _, t_docx = _timed("write_docx", write_docx, Path(tmp) / "b.docx", title="月讲评",
                           blocks=blocks, letterhead=Letterhead(), date="")  # fmt: skip
        hot, t_hot = _timed("hotspot_review alone (month)", hotspot_review, district,
                            window="month", at=args.at)  # fmt: skip
        _, t_cov = _timed("coverage_review alone (month)", coverage_review, district,
                          window="month", at=args.at, hotspots=hot)  # fmt: skip
    total = t_brief + t_maps + t_docx
    print(f"\nmonth brief (figures + maps + DOCX): {total:.2f} s (goal ≤ 10 s)")
    print(f"of which the two reviews alone:      {t_hot + t_cov:.2f} s "
          f"({(t_hot + t_cov) / total:.0%})")  # fmt: skip


if __name__ == "__main__":
    main()
