"""The reader opens its database without tidying and removes the temp files crashed
writers left once its first screen is drawn, whichever screen comes first (issue 14)."""

from __future__ import annotations

import pytest

from annotations.config import load_config
from annotations.store import Store
from tests.helpers import MAIN_ARTICLE, REPO
from tui.app import NewstagApp


@pytest.mark.parametrize("first", ["library", "reader"])
async def test_temp_files_left_by_a_crash_are_removed_after_the_first_screen(
        db_copy, tmp_path, monkeypatch, first):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    leftovers = [db_copy / "annotations" / ".a1.json.123.abcd.tmp",
                 db_copy / "articles" / ".b2.json.456.ef01.tmp", db_copy / ".newstag.json.7.aa.tmp"]
    for leftover in leftovers:
        leftover.write_text("{half")
    store = Store.open(db_copy, tidy=False)  # as run_reader opens it
    assert all(leftover.exists() for leftover in leftovers)
    config = load_config(str(REPO / "config.yaml"))
    config.suggestions = False
    app = NewstagApp(config, store, [MAIN_ARTICLE] if first == "reader" else [])
    async with app.run_test(size=(120, 35)) as pilot:
        for _ in range(200):
            await pilot.pause(0.01)
            if app.screen.id == first and not any(x.exists() for x in leftovers):
                break
        assert app.screen.id == first
        assert not any(leftover.exists() for leftover in leftovers)
