"""Suggestions in the reader and the library (issue 10), driven by Pilot on a real store.

The article and config are this file's own (tests/data/suggest): each label's
description shares words with the sentences it should be suggested for, so the
cold-start rules give obvious suggestions whatever model is behind
``annotations.suggest.engine``. Where a test needs an exact score (uncertainty order,
a model that is slow or fails on demand) it injects a small suggester and says why.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.worker import WorkerState

from annotations.config import Config, load_config
from annotations.ingest import import_paths
from annotations.model import ReviewState
from annotations.store import Store
from annotations.suggest.engine import Example, Suggestion, cold_suggester, suggestion
from annotations.suggest.reviewing import toggled
from tests.helpers import DATA, db_of_articles, put_tag
from tui.app import NewstagApp
from tui.article_view import ArticleView
from tui.library_gain import GainTracker
from tui.library_table import LibraryTable
from tui.screens.modals import HelpScreen
from tui.screens.reader import ReaderScreen

HERE = DATA / "suggest"
CONFIG = HERE / "config.yaml"
SIZE = (110, 30)
# Sentence indexes in harbour-notes.txt (0 is the heading).
WHALES, BAKER, TARIFFS, NAVY, TALKS, BAKERY, MARKET = range(1, 8)


@pytest.fixture(scope="module")
def harbour_db(tmp_path_factory, nlp) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("suggest") / "db"
    report = import_paths(Store.open(db), [HERE / "harbour-notes.txt"], lambda: nlp)
    return db, report.added[0]


@pytest.fixture
def harbour(harbour_db, tmp_path, monkeypatch) -> tuple[Path, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    db, article_id = harbour_db
    shutil.copytree(db, tmp_path / "db")
    return tmp_path / "db", article_id


def make_app(db: Path, config: Config | None = None, train=None) -> NewstagApp:
    app = NewstagApp(config or load_config(str(CONFIG)), Store.open(db))
    if train is not None:
        app.suggestions.train = train
    return app


def stored(app: NewstagApp, article_id: str):
    """What is on disk, read by a fresh Store."""
    return Store.open(app.store.root, create=False).annotations(article_id)


async def wait_for(pilot, condition, timeout: float = 15.0) -> float:
    """Pause until ``condition()`` holds; the seconds it took (fails after ``timeout``)."""
    start = time.perf_counter()
    while not condition():
        assert time.perf_counter() - start < timeout, "timed out"
        await pilot.pause(0.02)
    return time.perf_counter() - start


def settled(app: NewstagApp) -> bool:
    """No training and no scoring running: what is shown is the latest suggester's."""
    return not app.suggestions.training and not any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING) and
        (w.group or "").startswith("suggest") for w in app.workers)


async def open_reader(app: NewstagApp, pilot, article_id: str) -> ArticleView:
    app.open_article(article_id)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    view = app.screen.query_one(ArticleView)
    await wait_for(pilot, lambda: view.suggestions and settled(app))
    return view


def gutter_of(view: ArticleView, index: int):
    """The segments of a sentence's gutter (its first line, left of the text)."""
    strip = view._render_sentence(view._block_of[index], index, 100)[0]
    return list(strip.crop(0, view._gutter_width))


def status_text(app: NewstagApp) -> str:
    return str(app.screen.query_one("#status").render())


class FixedSuggester:
    """Scores read from the sentence: "... level N ..." gives trade N/10, others 0.

    Injected where a test needs exact uncertainties (0.5 is the least sure); the real
    model's scores are not exact, and the placeholder's are multiples of 0.3.
    """

    trained_on = 0

    def __init__(self, config: Config, scores: dict[str, dict[str, float]] | None = None):
        self.config = config
        self.scores = scores or {}

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        out = []
        for text in texts:
            level = re.search(r"level (\d)", text)
            scores = self.scores.get(text) or {
                "trade": int(level.group(1)) / 10 if level else 0.0,
                "defence": 0.0, "diplomacy": 0.0}
            out.append(suggestion(self.config, scores))
        return out


# -- 1. suggestions shown, never stored ---------------------------------------------
async def test_suggestions_appear_on_unreviewed_sentences_only_and_are_not_stored(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        # The cold-start rules read the config's descriptions: obvious suggestions.
        assert "trade" in view.suggestion_for(TARIFFS).labels
        assert "defence" in view.suggestion_for(NAVY).labels
        assert "diplomacy" in view.suggestion_for(TALKS).labels
        assert stored(app, article_id) == {}  # shown, not stored
        # The gutter shows the suggested mark, italic and faint, and "~" (not "✓").
        marks = gutter_of(view, TARIFFS)
        t_mark = next(s for s in marks if s.text == "T")
        assert t_mark.style.italic and t_mark.style.dim and not t_mark.style.bold
        assert "~" in "".join(s.text for s in marks) and "✓" not in "".join(
            s.text for s in marks)
        view.move_to(TARIFFS)
        await pilot.pause()
        status = status_text(app)
        assert re.search(r"unreviewed · suggested: trade [01]\.\d\d", status), status
        # A reviewed sentence shows no suggestion (and its labels are the person's).
        await pilot.press("0")
        assert stored(app, article_id)[TARIFFS].labels == []
        assert view.suggestion_for(TARIFFS) is None
        assert "T" not in "".join(s.text for s in gutter_of(view, TARIFFS))
        view.move_to(TARIFFS)
        await pilot.pause()
        assert "none apply" in status_text(app) and "suggested" not in status_text(app)


async def test_suggested_and_confirmed_marks_differ_in_light_and_dark_themes(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        view.move_to(NAVY)
        await pilot.press("1")  # trade added to the suggested defence: both confirmed
        assert stored(app, article_id)[NAVY].labels == ["trade", "defence"]
        for theme in ("textual-light", "textual-dark"):
            app.theme = theme
            await pilot.pause()
            view._generation += 1
            confirmed = next(s for s in gutter_of(view, NAVY) if s.text == "D")
            suggested = next(s for s in gutter_of(view, TALKS) if s.text == "I")
            assert confirmed.style.bold and not confirmed.style.italic, theme
            assert suggested.style.italic and suggested.style.dim, theme
            assert not suggested.style.bold, theme


# -- 2. Enter, label keys, 0, undo ----------------------------------------------------
async def test_enter_confirms_exactly_the_suggested_labels(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        view.move_to(WHALES)
        confirmed = {}
        for index in (WHALES, BAKER, TARIFFS, NAVY, TALKS):
            await wait_for(pilot, lambda: settled(app))
            assert view.cursor == index
            shown = view.suggestion_for(index)
            assert shown is not None
            confirmed[index] = list(shown.labels)
            await pilot.press("enter")
        on_disk = stored(app, article_id)
        for index, labels in confirmed.items():
            assert on_disk[index].labels == labels
            assert on_disk[index].state is ReviewState.REVIEWED
        assert on_disk[TARIFFS].labels and not on_disk[BAKER].labels  # both kinds met
        assert view.cursor == BAKERY
        # Undo: back to unreviewed, and the suggestion is shown again.
        await pilot.press("u")
        assert TALKS not in stored(app, article_id)
        assert view.suggestion_for(TALKS) is not None


async def test_label_key_starts_from_the_suggestion_and_zero_means_none(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        view.move_to(TARIFFS)
        shown = view.suggestion_for(TARIFFS).labels
        await pilot.press("2")  # defence toggled in the suggested set
        assert tuple(stored(app, article_id)[TARIFFS].labels) == \
            toggled(app.config, shown, "defence")
        assert stored(app, article_id)[TARIFFS].state is ReviewState.REVIEWED
        await pilot.press("u")
        assert TARIFFS not in stored(app, article_id)
        await wait_for(pilot, lambda: settled(app))
        view.move_to(NAVY)
        assert view.suggestion_for(NAVY).labels
        await pilot.press("0")  # none apply, whatever was suggested
        assert stored(app, article_id)[NAVY].labels == []
        assert stored(app, article_id)[NAVY].state is ReviewState.REVIEWED
        assert view.cursor == TALKS


async def test_removing_the_only_suggested_label_leaves_none_to_confirm(harbour):
    """A fixed suggester: the test needs a sentence with exactly one suggested label."""
    db, article_id = harbour
    config = load_config(str(CONFIG))
    text = "Tariffs on steel rose again as the export ministry met traders."
    app = make_app(db, config, train=lambda c, e: FixedSuggester(c, {text: {"trade": 0.9}}))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        view.move_to(TARIFFS)
        assert view.suggestion_for(TARIFFS).labels == ("trade",)
        await pilot.press("1")  # the only suggested label taken off
        assert TARIFFS not in stored(app, article_id)
        assert view.suggestion_for(TARIFFS) is None
        assert "T" not in "".join(s.text for s in gutter_of(view, TARIFFS))
        await pilot.press("enter")  # what is shown: no label, so none apply
        assert stored(app, article_id)[TARIFFS].labels == []
        await pilot.press("k", "backspace")  # unreviewed again: the suggestion is back
        assert TARIFFS not in stored(app, article_id)
        assert view.suggestion_for(TARIFFS).labels == ("trade",)


# -- 3. learning as you go ------------------------------------------------------------
class BlockingTrainer:
    """Learns by word overlap, and blocks each retraining until the test releases it.

    A stand-in for the real model because the test must hold a training *running*
    while keys are pressed (a real one cannot be made slow on demand), and must know
    exactly how the suggestions change once it learned the new tag.
    """

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, config: Config, examples: Sequence[Example]):
        self.calls += 1
        if examples:
            assert self.release.wait(20)
        cold = cold_suggester(config)
        learned = [(set(re.findall(r"[a-z]{4,}", e.text.lower())), e.labels)
                   for e in examples]

        class Learned:
            trained_on = len(examples)

            def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
                out = []
                for text, base in zip(texts, cold.suggest(texts), strict=True):
                    words = set(re.findall(r"[a-z]{4,}", text.lower()))
                    scores = dict(base.scores)
                    for vocab, labels in learned:
                        if len(words & vocab) >= 2:
                            scores.update({label: 0.9 for label in labels})
                    out.append(suggestion(config, scores))
                return out

        return Learned()


async def test_retrains_after_a_tag_without_blocking_keys_then_suggestions_change(harbour):
    db, article_id = harbour
    trainer = BlockingTrainer()
    app = make_app(db, train=trainer)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        assert "defence" not in view.suggestion_for(BAKERY).labels
        view.move_to(BAKER)
        await pilot.press("2")  # the baker is defence, says the person
        assert stored(app, article_id)[BAKER].labels == ["defence"]
        await wait_for(pilot, lambda: trainer.calls == 2)
        assert app.suggestions.training
        # Keys are handled while the model trains: move, tag, and each key's app work
        # stays small (the training thread waits; nothing waits for it).
        slowest = 0.0
        for key in ("j", "j", "k"):
            start = time.perf_counter()
            await pilot.press(key)
            slowest = max(slowest, time.perf_counter() - start)
        assert view.cursor == TARIFFS
        start = time.perf_counter()
        app.screen.action_next_sentence()
        assert time.perf_counter() - start < 0.016 and view.cursor == NAVY
        view.move_to(TALKS)
        await pilot.press("1")  # a second tag while training: coalesced into one round
        assert "trade" in stored(app, article_id)[TALKS].labels
        assert app.suggestions.training and "defence" not in view.suggestion_for(BAKERY).labels
        trainer.release.set()
        took = await wait_for(pilot, lambda: "defence" in view.suggestion_for(BAKERY).labels)
        assert took < 5  # the issue asks for a second; the machine is shared and loaded
        await wait_for(pilot, lambda: settled(app))
        # One training at open, one for the first tag, one more round for the second.
        assert trainer.calls == 3 and app.suggestions.suggester.trained_on == 2
        assert slowest < 2.0


async def test_a_failing_model_means_no_suggestions_and_one_notice(harbour):
    db, article_id = harbour

    def broken(config, examples):
        raise RuntimeError("model file [b]gone[/b]")

    app = make_app(db, train=broken)
    async with app.run_test(size=SIZE) as pilot:
        app.open_article(article_id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await wait_for(pilot, lambda: app.suggestions.trainings >= 1 and settled(app))
        assert view.suggestions == {} and app.suggestions.failure
        notices = [n.message for n in app._notifications]
        assert sum("model failed" in m for m in notices) == 1
        await pilot.press("enter", "2")  # the reader works as without suggestions
        assert stored(app, article_id)[WHALES].labels == []
        assert stored(app, article_id)[BAKER].labels == ["defence"]
        await wait_for(pilot, lambda: app.suggestions.trainings >= 2 and settled(app))
        notices = [n.message for n in app._notifications]
        assert sum("model failed" in m for m in notices) == 1  # not one per tag
        await pilot.press("s")
        assert app.is_running


# -- 4. most useful first ---------------------------------------------------------------
async def test_s_goes_to_the_least_sure_sentence(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        open_ones = [i for i in view.taggable_visible() if view.suggestion_for(i)]
        doubt = max(view.suggestion_for(i).uncertainty for i in open_ones)
        await pilot.press("s")
        assert view.suggestion_for(view.cursor).uncertainty == doubt


async def test_s_order_with_exact_scores(harbour):
    """A fixed suggester: the order of "least sure" needs exact scores."""
    db, article_id = harbour
    # Binary-exact scores, so the tie is a tie: 0.625 and 0.375 are both 0.75 unsure.
    texts = {"The navy sent two frigates to patrol the strait at dawn.": {"trade": 0.625},
             "A baker in the village sold fresh bread on Monday.": {"trade": 0.875},
             "Ministers held talks with the ambassador about a new treaty.": {"trade": 0.375}}
    app = make_app(db, train=lambda c, e: FixedSuggester(c, texts))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_reader(app, pilot, article_id)
        await pilot.press("s")
        assert view.cursor == NAVY  # NAVY and TALKS tie: the first after the cursor
        await pilot.press("s")
        assert view.cursor == TALKS  # pressed again: the next of the equals
        await pilot.press("0")  # reviewed: no longer a candidate
        await pilot.press("s")
        assert view.cursor == NAVY
        await pilot.press("0", "s")
        assert view.cursor == BAKER  # 0.875 (0.25 unsure) is next; the rest score 0


async def test_suggestions_false_in_the_config_turns_them_off(harbour, tmp_path):
    db, article_id = harbour
    off = tmp_path / "off.yaml"
    off.write_text(CONFIG.read_text("utf-8") + "suggestions: false\n", "utf-8")
    app = make_app(db, load_config(str(off)))
    async with app.run_test(size=SIZE) as pilot:
        app.open_article(article_id)
        await pilot.pause(0.5)
        view = app.screen.query_one(ArticleView)
        assert view.suggestions == {} and app.suggestions.trainings == 0
        view.move_to(TARIFFS)
        await pilot.press("enter")  # as before suggestions: reviewed, none apply
        assert stored(app, article_id)[TARIFFS].labels == []
        await pilot.press("s")
        assert any("Suggestions are off" in n.message for n in app._notifications)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.library)
        await pilot.press("g", "n")  # the library says so too, and stays as it is
        assert app.library.sort == "imported" and app.screen is app.library
        assert sum("Suggestions are off" in n.message for n in app._notifications) == 3


def test_a_wrong_suggestions_value_is_one_line_naming_the_file(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("suggestions: sometimes\n", "utf-8")
    result = cli("--config", str(bad), "list", db=tmp_path / "db")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "suggestions" in lines[0]
    assert "true or false" in lines[0] and "Traceback" not in result.err


# -- the library: least sure across the corpus, sort by expected gain --------------------
def level_library(root: Path, n: int) -> dict[str, list[int]]:
    """Articles whose sentences say "level N"; returns each article's levels."""
    levels = {}
    articles = {}
    for a in range(n):
        article_levels = [(a * 7 + s * 3) % 10 for s in range(1 + a % 3)]
        levels[f"lv{a:05d}"] = article_levels
        articles[f"lv{a:05d}"] = [f"Report {a}"] + [
            f"Sentence {s} of report {a} is at level {level}." for s, level in
            enumerate(article_levels)]
    db_of_articles(root, articles)
    return levels


def shown_in_gain_order(app: NewstagApp) -> bool:
    """The gains are computed and the library shows them, most gain first."""
    tracker = app.library.query_one(GainTracker)
    table = app.library.query_one(LibraryTable)
    if tracker.computing or not tracker.gains:
        return False
    gains = [tracker.gains[table.row_at(i)[0]].gain for i in range(table.row_count)]
    return gains == sorted(gains, reverse=True)


def expected_gain(levels: list[int], reviewed: set[int] = frozenset()) -> float:
    return sum(1 - 2 * abs(lv / 10 - 0.5) for s, lv in enumerate(levels, start=1)
               if s not in reviewed)


async def test_library_sorts_by_expected_gain_and_opens_the_least_sure(tmp_path, monkeypatch):
    """A fixed suggester: the expected gains are checked to the digit."""
    monkeypatch.chdir(tmp_path)
    levels = level_library(tmp_path / "db", 40)
    store = Store.open(tmp_path / "db")
    put_tag(store, "lv00005", 1, ["trade"])  # reviewed: no longer counts
    config = load_config(str(CONFIG))
    app = make_app(tmp_path / "db", config, train=lambda c, e: FixedSuggester(c))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        await pilot.press("g")
        tracker = app.library.query_one(GainTracker)
        await wait_for(pilot, lambda: shown_in_gain_order(app))
        assert app.library.sort == "gain"
        gains = {i: expected_gain(lv, {1} if i == "lv00005" else set())
                 for i, lv in levels.items()}
        for article_id, gain in gains.items():
            assert tracker.gains[article_id].gain == pytest.approx(gain)
        shown = [table.row_at(i)[0] for i in range(table.row_count)]
        assert shown == sorted(levels, key=lambda i: -gains[i])  # ties: import order
        assert "sorted by gain" in str(app.library.query_one("#library-summary").render())
        await pilot.press("s")
        assert app.library.sort == "imported"  # s cycles the others again
        # n: the least sure sentence of the corpus (level 5: score 0.5), in the reader.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        first = next((i, s) for i, lv in levels.items() for s, v in enumerate(lv, 1)
                     if v == 5 and not (i == "lv00005" and s == 1))
        await pilot.pause()
        assert (reader.article.id, reader.view.cursor) == first


class SlowSuggester(FixedSuggester):
    """A slow model: 0.15 s per batch of sentences. It sleeps rather than computes
    because Pilot waits for the process to be idle after each key, so a CPU-bound
    stand-in would hide whether the keys are handled while it works."""

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        time.sleep(0.15)
        return super().suggest(texts)


async def test_gain_sort_at_scale_keeps_the_library_responsive(tmp_path, monkeypatch):
    """2,000 articles: the gains are computed in a worker while keys move the cursor."""
    monkeypatch.chdir(tmp_path)
    level_library(tmp_path / "db", 2000)
    app = make_app(tmp_path / "db", train=lambda c, e: SlowSuggester(c))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        tracker = app.library.query_one(GainTracker)
        start = time.perf_counter()
        await pilot.press("g")
        await wait_for(pilot, lambda: tracker.computing)
        await pilot.press("down", "down", "down")
        assert table.cursor == 3 and tracker.computing  # keys handled while it computes
        took = await wait_for(pilot, lambda: shown_in_gain_order(app), timeout=60)
        assert len(tracker.gains) == table.row_count == 2000
        print(f"gains of 2,000 articles: {took:.2f} s ({time.perf_counter() - start:.2f} s)")


async def test_help_lists_the_suggestion_keys(harbour):
    db, article_id = harbour
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-text").render())
        assert "Sort by expected gain" in text and "least sure" in text
        await pilot.press("escape")
        await open_reader(app, pilot, article_id)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        assert "Least sure" in text and "Suggested labels" in text
