"""What the screens look like at 100x30 (pytest-textual-snapshot)."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Input

from tests.tui.conftest import make_app
from tui.app import NewstagApp

SIZE = (100, 30)


def _quiet(app: NewstagApp) -> None:
    for widget in app.query(Input):
        widget.cursor_blink = False


@pytest.fixture
def snapshot_app(db_copy, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSTAG_CONFIG", "")
    return make_app(db_copy)


def test_library(snap_compare, snapshot_app):
    async def before(pilot):
        _quiet(pilot.app)
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=before)


def _open(article_id):
    async def before(pilot):
        pilot.app.open_article(article_id)
        await pilot.pause()
        _quiet(pilot.app)
        for widget in pilot.app.screen.query(Input):  # the search field mounts when opened
            widget.cursor_blink = False

    return before


def test_reader(snap_compare, snapshot_app, main_id):
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=_open(main_id),
                        press=["j", "1", "2", "j", "3", "j", "0", "k"])


def test_help(snap_compare, snapshot_app, main_id):
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=_open(main_id),
                        press=["question_mark"])


def test_entity_panel(snap_compare, snapshot_app, main_id):
    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=_open(main_id),
                        press=["p"])


def test_hostile_text(snap_compare, hostile_db, tmp_path, monkeypatch):
    db, article_id = hostile_db
    copy = tmp_path / "db"
    shutil.copytree(db, copy)
    monkeypatch.chdir(tmp_path)
    assert snap_compare(make_app(copy), terminal_size=SIZE, run_before=_open(article_id),
                        press=["j", "1"])
