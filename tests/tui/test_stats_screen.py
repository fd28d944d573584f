"""The stats screen (S) and the active time the reader records, driven by Pilot (issue 12)."""

from __future__ import annotations

from textual.widgets import Sparkline, Static

from annotations.activity import ActiveTimer, read_activity, utc_day
from annotations.store import Store
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.stats import StatsScreen


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_keys_record_active_time_and_S_shows_it(app_factory, main_id):
    """Time is driven through an injected clock: a real two-minute pause cannot be waited
    for in a test, and Pilot's key presses take no measurable time of their own."""
    app = app_factory()
    now = [1000.0]
    async with app.run_test(size=(110, 60)) as pilot:
        app.active_time = ActiveTimer(app.store, "tester", clock=lambda: now[0])
        await pilot.press("j")  # in the library: no article open, not counted
        app.open_article(main_id)
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        # (time, key): gaps 20, 30, then 250 (idle: not counted), then 10 and 5
        for t, key in ((1000, "1"), (1020, "j"), (1050, "2"), (1300, "j"), (1310, "0"),
                       (1315, "S")):
            now[0] = t
            await pilot.press(key)
        assert isinstance(app.screen, StatsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        stats = app.screen
        rates = _text(stats, "#stats-rates")
        # Written at the key of 1300 (60 s after the timer started): 20 + 30 s; the
        # later 15 s are still in memory.
        assert "tester  0.01 h active, 0.0 sentences/h" in rates
        assert [r.seconds for r in read_activity(app.store.root)] == [50.0]
        labels = _text(stats, "#stats-labels")
        annotator = app.config.annotator
        assert annotator in labels and "trade" in labels and "defence" in labels
        articles = _text(stats, "#stats-articles")
        assert articles.startswith("▶")  # the open article first
        assert " 3/" in articles.splitlines()[0]  # two labelled, one none-apply
        sparks = list(stats.query(Sparkline))
        assert sparks and sparks[0].data is not None
        assert sparks[0].data[-1] == 3.0  # today: three sentences reviewed
        assert len(sparks[0].data) == 30
        now[0] = 1320
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")  # quitting writes what is in memory
    rows = read_activity(app.store.root)
    assert [(r.annotator, r.day, r.seconds) for r in rows] == \
        [("tester", utc_day(), 20 + 30 + 10 + 5 + 5)]


async def test_S_from_the_library_and_stats_of_recorded_time(app_factory, main_id):
    app = app_factory()
    now = [0.0]
    async with app.run_test(size=(110, 60)) as pilot:
        app.active_time = ActiveTimer(app.store, "tester", clock=lambda: now[0])
        app.open_article(main_id)
        await pilot.pause()
        for t, key in ((0, "1"), (30, "j"), (90, "1")):  # 90 s active, written at 60 s
            now[0] = t
            await pilot.press(key)
        assert [r.seconds for r in read_activity(app.store.root)] == [90.0]
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        rates = _text(app.screen, "#stats-rates")
        # Two sentences reviewed by the configured annotator, whose name the timer
        # was not given; "tester" has 90 s active and reviewed nothing.
        assert "tester  0.03 h active, 0.0 sentences/h" in rates
        assert "no active time recorded" in rates
        assert not _text(app.screen, "#stats-articles").startswith("▶")  # none open
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
    store = Store.open(app.store.root, create=False)
    assert sum(c.reviewed for c in store.kept_counts().values()) == 2


async def test_stats_screen_shows_untrusted_names_as_text(app_factory, main_id):
    """An annotator name from an imported file is shown as text, never as markup.
    (Control characters cannot reach here: activity.json rows naming an impossible
    annotator are refused — tests/cli/test_attack_today.py.)"""
    app = app_factory()
    hostile = "[@click=app.quit]x[/] [b]bold"
    async with app.run_test(size=(110, 60)) as pilot:
        app.active_time = ActiveTimer(app.store, hostile, clock=lambda: 0.0)
        app.active_time.pending = {(hostile, utc_day()): 42.0}
        app.active_time.flush()
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rates = _text(app.screen, "#stats-rates")
        assert "[@click=app.quit]x[/] [b]bold" in rates
        assert app.is_running


async def test_damaged_activity_file_never_stops_the_reader(app_factory, main_id):
    """The clock is injected so that a write falls due without waiting a minute."""
    app = app_factory()
    path = app.store.root / "activity.json"
    path.write_bytes(b'{"active": {"1": "not a row"}}')
    now = [0.0]
    async with app.run_test(size=(110, 60)) as pilot:
        app.active_time = ActiveTimer(app.store, "tester", clock=lambda: now[0])
        app.open_article(main_id)
        await pilot.pause()
        for t, key in ((0, "j"), (30, "j"), (70, "1"), (100, "j")):
            now[0] = t
            await pilot.press(key)
        assert isinstance(app.screen, ReaderScreen)
        said = [n.message for n in app._notifications if "Active time not saved" in n.message]
        assert len(said) == 1 and str(path) in said[0]  # once, naming the file
        assert app.active_time.pending == {("tester", utc_day()): 100.0}
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        error = _text(app.screen, "#stats-error")
        assert str(path) in error and "newstag doctor" in error
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
    assert path.read_bytes() == b'{"active": {"1": "not a row"}}'  # never written over
