"""``beatgrid demo run --no-serve``: what ``make demo`` does, short of serving."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from beatgrid.cli import app


def test_demo_run_stores_the_district_and_prints_every_step(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = CliRunner().invoke(app, ["demo", "run", "--out", str(out), "--no-serve"])
    assert done.exit_code == 0, done.output
    for step in ("1/3", "2/3", "layer grids: 118 features", "incidents:", "demo users"):
        assert step in done.output
    # users whose jurisdictions differ are printed, so the policy is visible
    for user in ("demo-beat-1", "demo-beat-2", "demo-community-1", "demo-community-2"):
        assert user in done.output
    engine = create_engine(f"sqlite:///{out / 'beatgrid.sqlite'}")
    with engine.connect() as db:
        layers = {r[0] for r in db.execute(text("select id from layers"))}
        users = db.execute(text("select count(*) from users")).scalar_one()
        roles = {r[0] for r in db.execute(text("select role from users"))}
    engine.dispose()
    assert {"grids", "beats", "aux_beats", "joint_points", "communities"} <= layers
    assert {"grid_worker", "grid_head"} <= roles
    assert users == 10  # the eight desk logins and the first grid's worker and head (事件流转)
    # a second run reuses the files and the stored layers, and only issues new passwords
    again = CliRunner().invoke(app, ["demo", "run", "--out", str(out), "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "already generated" in again.output and "already stored" in again.output
