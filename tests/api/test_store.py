"""The versioned store on both backends: history, diff, transactions, conflicts, audit."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from shapely.geometry import box
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from api.models import AuditEntry, Feature, Layer
from api.policy import Jurisdiction
from api.store import layers as store
from api.store.diff import diff_versions
from api.store.query import FeatureQuery, read_features
from gis.errors import ConflictError, FieldError, GeometryError, NotFoundError
from tests.api.service_fixtures import CELLS, four_grids


def _create(app: FastAPI, uid: str) -> None:
    with app.state.sessions() as s:
        store.create_layer(
            s,
            four_grids(),
            layer_id=uid,
            kind="grid",
            title="t",
            source_crs="EPSG:4326",
            author="alice",
            reason="import",
        )
        s.commit()


def test_versions_keep_history_and_diff(app: FastAPI, uid: str) -> None:
    """v1: four grids; v2: G4 removed, G5 added, G1 moved east by 0.001°, G2 renamed."""
    _create(app, uid)
    v2 = four_grids()
    v2.loc[v2.id == "G1", "geometry"] = box(118.701, 32.00, 118.711, 32.01)
    v2.loc[v2.id == "G2", "name"] = "renamed"
    v2 = v2[v2.id != "G4"]
    v2.loc[len(v2)] = ["G5", "new", "C1", None, box(118.72, 32.0, 118.73, 32.01)]
    with app.state.sessions() as s:
        info = store.save_version(
            s, v2, layer_id=uid, base_version=1, author="bob", reason="redraw"
        )
        s.commit()
    assert (info.version, info.added, info.removed, info.changed) == (2, 1, 1, 2)
    with app.state.sessions() as s:
        old = read_features(s, uid, FeatureQuery(version=1)).frame
        new = read_features(s, uid, FeatureQuery(version=2)).frame
        d = diff_versions(s, uid, 1, 2)
        back = diff_versions(s, uid, 2, 1)
        history = store.versions(s, uid)
    assert sorted(old.id) == sorted(CELLS)  # the old version is intact
    assert sorted(new.id) == ["G1", "G2", "G3", "G5"]
    assert (d.added, d.removed, d.changed, d.geometry_changed) == (
        ("G5",),
        ("G4",),
        ("G1", "G2"),
        ("G1",),
    )
    assert (back.added, back.removed) == (d.removed, d.added)
    # G1 moved ~94 m east: two 94 m x 1.1 km strips changed hands
    assert d.changes.changed_area_m2.iloc[0] == pytest.approx(2 * 94.4 * 1109, rel=0.03)
    assert [(v.version, v.author, v.reason) for v in history] == [
        (1, "alice", "import"),
        (2, "bob", "redraw"),
    ]


def test_unchanged_save_writes_no_rows(app: FastAPI, uid: str) -> None:
    _create(app, uid)
    with app.state.sessions() as s:
        info = store.save_version(
            s, four_grids(), layer_id=uid, base_version=1, author="a", reason="same"
        )
        s.commit()
        rows = s.scalar(select(func.count()).where(Feature.layer_id == uid))
    # Nothing changed, so no version: the base version is answered (issue 16).
    assert (info.version, info.feature_count) == (1, 4)
    assert [v.version for v in store.versions(s, uid)] == [1]
    assert rows == 4


def test_stale_base_version_conflicts_and_writes_nothing(app: FastAPI, uid: str) -> None:
    _create(app, uid)
    with app.state.sessions() as s:
        store.save_version(
            s, four_grids().iloc[:3], layer_id=uid, base_version=1, author="a", reason="r"
        )
        s.commit()
    with app.state.sessions() as s, pytest.raises(ConflictError, match="version 2, not 1"):
        store.save_version(
            s, four_grids().iloc[:2], layer_id=uid, base_version=1, author="b", reason="r"
        )
    with app.state.sessions() as s:
        assert s.get(Layer, uid).head_version == 2
        assert len(read_features(s, uid, FeatureQuery()).frame) == 3


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda g: g.assign(id=["G1", "G1", "G3", "G4"]), FieldError),
        (lambda g: g.assign(id=["G1", None, "G3", "G4"]), FieldError),
        (lambda g: g.drop(columns="id"), FieldError),
        (lambda g: g.set_geometry([None, *g.geometry.iloc[1:]], crs=4326), GeometryError),
        (
            lambda g: g.set_geometry(
                [box(0, 0, 0, 0).boundary.difference(box(-1, -1, 1, 1)), *g.geometry.iloc[1:]],
                crs=4326,
            ),
            GeometryError,
        ),
    ],
    ids=["duplicate-id", "missing-id", "no-id-column", "none-geometry", "empty-geometry"],
)
def test_failed_import_leaves_nothing(app: FastAPI, uid: str, mutate, error) -> None:
    with app.state.sessions() as s, pytest.raises(error) as info:
        store.create_layer(
            s,
            mutate(four_grids()),
            layer_id=uid,
            kind="grid",
            title="t",
            source_crs="EPSG:4326",
            author="a",
            reason="r",
        )
    assert info.value.problems and info.value.problems[0].source == f"layer {uid}"
    with app.state.sessions() as s:
        assert s.get(Layer, uid) is None
        assert s.scalar(select(func.count()).where(Feature.layer_id == uid)) == 0
        assert s.scalar(select(func.count()).where(AuditEntry.target.like(f"{uid}%"))) == 0


def test_unknown_layer_and_version(app: FastAPI, uid: str) -> None:
    _create(app, uid)
    with app.state.sessions() as s:
        with pytest.raises(NotFoundError):
            read_features(s, uid, FeatureQuery(version=7))
        with pytest.raises(NotFoundError):
            diff_versions(s, "no-such-layer", 1, 2)


def test_audit_log_is_append_only(app: FastAPI, uid: str) -> None:
    _create(app, uid)
    with app.state.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.target == f"{uid}@1")).one()
        assert (entry.username, entry.action, entry.detail["added"]) == (
            "alice",
            "layer.version",
            4,
        )
    for sql in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
        with app.state.sessions() as s, pytest.raises(DBAPIError, match="append-only"):
            s.execute(text(sql))
            s.commit()


def test_bbox_and_jurisdiction_filter_the_same_on_both_backends(app: FastAPI, uid: str) -> None:
    _create(app, uid)
    with app.state.sessions() as s:
        inner = read_features(s, uid, FeatureQuery(bbox=(118.705, 32.005, 118.706, 32.006)))
        clip = read_features(
            s, uid, FeatureQuery(policy=Jurisdiction(area=CELLS["G4"].buffer(-0.001)))
        )
        paged = read_features(s, uid, FeatureQuery(limit=2, offset=1))
    assert list(inner.frame.id) == ["G1"]
    assert list(clip.frame.id) == ["G4"]
    assert (list(paged.frame.id), paged.number_matched) == (["G2", "G3"], 4)


def test_two_concurrent_edits_of_one_version_one_wins(app: FastAPI, uid: str) -> None:
    """Two users load version 1 and save at the same time: one version 2, one conflict."""
    import threading

    _create(app, uid)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(keep: int) -> None:
        with app.state.sessions() as s:
            store.get_layer(s, uid)  # both read first, as a route does
            barrier.wait()
            try:
                store.save_version(
                    s, four_grids().iloc[:keep], layer_id=uid, base_version=1,
                    author=f"u{keep}", reason="race",
                )  # fmt: skip
                s.commit()
                outcomes.append("saved")
            except ConflictError:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(k,)) for k in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "saved"]
    with app.state.sessions() as s:
        assert s.get(Layer, uid).head_version == 2
        assert [v.version for v in store.versions(s, uid)] == [1, 2]
