"""ctrl+c during an import stops it and quits, as q does (issue 9).

Textual binds ctrl+c to a hint ("press ctrl+q to quit") and the import went on.
"""

from __future__ import annotations

import asyncio
import time

from annotations.store import Store
from tests.tui.conftest import make_app


def write_long_article(path, sentences: int) -> None:
    """An invented article long enough for an import that takes seconds."""
    ports = ["Gdansk", "Mombasa", "Valparaiso", "Busan", "Antwerp", "Durban"]
    lines = ["Port Authorities Review Berthing Fees", ""]
    for start in range(0, sentences, 4):
        lines.append(" ".join(
            f"Officials in {ports[n % len(ports)]} reviewed berth {n} of the harbour plan "
            f"in week {n % 52 + 1}." for n in range(start, min(start + 4, sentences))))
    path.write_text("\n".join(lines) + "\n", "utf-8")


async def _import_under_way(app) -> None:
    bar = app.library.query_one("#import-progress")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if bar.progress and bar.total and bar.progress < bar.total:
            return
    raise AssertionError("the import never showed progress")


async def test_ctrl_c_during_an_import_stops_it_and_quits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "long.txt"
    write_long_article(source, 4000)
    db = tmp_path / "db"
    app = make_app(db, paths=[source])
    async with app.run_test(size=(120, 30)) as pilot:
        await _import_under_way(app)
        started = time.monotonic()
        await pilot.press("ctrl+c")
        await pilot.pause()
        hints = [n.message for n in app._notifications if "quit" in n.message]
        assert hints == [], f"ctrl+c only said: {hints}"
        while not app.import_stopped.is_set() and time.monotonic() - started < 30:
            await asyncio.sleep(0.01)
        stopped_after = time.monotonic() - started
    assert app.import_stopped.is_set()
    assert stopped_after < 1.5, f"the import went on for {stopped_after:.2f} s after ctrl+c"
    assert app._exit, "ctrl+c did not quit the app"
    # As with q: the stopped import lists nothing.
    assert Store.open(db).summaries() == []


async def test_ctrl_c_without_an_import_still_copies_in_the_filter(tmp_path, monkeypatch):
    """With no import running the binding stands aside: the app keeps running and the
    library filter's own ctrl+c (copy) gets the key."""
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path / "db")
    async with app.run_test(size=(120, 30)) as pilot:
        while not app.import_stopped.is_set():  # the bundled samples of an empty database
            await asyncio.sleep(0.05)
        await pilot.press("slash", "o", "s", "l", "shift+home")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app._exit
        assert app.clipboard == "osl"
