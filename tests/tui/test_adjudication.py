"""Adjudication in the reader (issue 12), driven by Pilot on the real app.

Three annotators tag the same article in databases of their own with the CLI, export
YAML, and the exports are imported into one team database; the adjudicator opens the
reader there, presses D, and sets the gold layer with the usual keys. What the gold
layer holds is checked on disk and through ``newstag export -f jsonl --gold``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from annotations.config import load_config
from annotations.identity import GOLD
from annotations.store import Store
from tests.helpers import MAIN_ARTICLE, REPO, article_id_for
from tui.app import NewstagApp
from tui.article_view import ArticleView
from tui.reader.adjudication_line import AdjudicationLine
from tui.reader.legend import Legend
from tui.screens.modals import FilterScreen
from tui.screens.reader import ReaderScreen

# Sentence index -> labels ([] none apply) per annotator, on the main article (15
# sentences, headings at 5 and 10). 1 agreed; 2 disputed, majority trade; 3 disputed,
# a tie (cleo did not review it); 4 disputed, majority none apply; 6 one review.
TAGS = {
    "ana": {1: ["trade"], 2: ["trade"], 3: ["defence"], 4: [], 6: ["trade"]},
    "ben": {1: ["trade"], 2: ["defence"], 3: ["diplomacy"], 4: []},
    "cleo": {1: ["trade"], 2: ["trade"], 4: ["trade"]},
}


def _ok(result) -> str:
    assert result.code == 0, (result.code, result.out, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    return result.out


def team_db(cli, corpus_db: Path, tmp_path: Path, tags: dict) -> tuple[Path, str]:
    """Each annotator tags in a copy of the corpus with the CLI and exports YAML; the
    team database imports every export. (team database, the main article's id)"""
    article = article_id_for(corpus_db, MAIN_ARTICLE.name)
    team = tmp_path / "team"
    shutil.copytree(corpus_db, team)
    for n, (name, by_index) in enumerate(tags.items()):
        db = tmp_path / f"db-{n}"  # names may be hostile: not in file names
        shutil.copytree(corpus_db, db)
        ops = tmp_path / f"{n}.ops"
        ops.write_text("".join(f"{article} {i} {' '.join(labels) or '--none'}\n"
                               for i, labels in by_index.items()), "utf-8")
        _ok(cli("--annotator", name, "tag", "--from", ops, db=db))
        _ok(cli("--annotator", name, "export", "-o", tmp_path / f"{n}.yaml", db=db))
        _ok(cli("--annotator", "judge", "import-annotations", tmp_path / f"{n}.yaml",
                db=team))
    return team, article


def judge_app(db: Path, annotator: str = "judge") -> NewstagApp:
    config = replace(load_config(str(REPO / "config.yaml")), annotator=annotator)
    config.suggestions = False  # the model's guesses are not this test's business
    return NewstagApp(config, Store.open(db, annotator=annotator))


def gold_of(db: Path, article: str) -> dict[int, tuple[list[str], str, str]]:
    layers = Store.open(db, create=False).load_layers(article).layers()
    return {i: (a.labels, str(a.state), a.annotator)
            for i, a in layers.get(GOLD, None).placed.items()} if GOLD in layers else {}


async def _open(app, pilot, article: str) -> tuple[ReaderScreen, ArticleView]:
    app.open_article(article)
    await pilot.pause()
    reader = app.screen
    assert isinstance(reader, ReaderScreen)
    return reader, reader.query_one(ArticleView)


def _text(widget) -> str:
    return str(widget.render())


async def test_adjudicating_in_the_reader_writes_the_gold_layer_that_export_gold_writes(
        cli, corpus_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    team, article = team_db(cli, corpus_db, tmp_path, TAGS)
    app = judge_app(team)
    async with app.run_test(size=(140, 30)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D")
        assert reader.adjudication is not None and app.session.layer == GOLD
        assert reader.adjudication.annotators == ["ana", "ben", "cleo"]
        assert "ana │ ben │ cleo │" in _text(reader.query_one(Legend))
        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press("down", "enter")  # disputed (annotators disagree)
        assert view.taggable_visible() == [2, 3, 4]
        assert view.cursor == 2
        line = _text(reader.query_one(AdjudicationLine))
        assert "ana: trade · ben: defence · cleo: trade" in line
        assert "gold: majority trade (⏎ confirms)" in line
        # the gutter: each annotator's marks, ≠, then the proposal (T of trade)
        first = view.render_line(view._layout.first_line[view._block_of[2]]
                                 - int(view.scroll_offset.y)).text
        assert first.startswith("▶T·· ·D· T·· ≠ T··~ "), first
        await pilot.press("enter")  # confirms the majority: trade; on to 3
        assert view.cursor == 3
        assert "no majority" in _text(reader.query_one(AdjudicationLine))
        await pilot.press("enter")  # a tie: nothing proposed, Enter decides nothing
        assert view.cursor == 3 and 3 not in gold_of(team, article)
        await pilot.press("2", "3")  # defence, diplomacy: the adjudicator's own choice
        assert "gold: defence diplomacy ★ by judge" in _text(reader.query_one(AdjudicationLine))
        await pilot.press("j", "enter")  # 4: the majority, none apply
        assert gold_of(team, article)[4] == ([], "reviewed", "judge")
        await pilot.press("u")  # undone: 4 has no gold again
        assert 4 not in gold_of(team, article)
        await pilot.press("f", "home", "down", "down", "enter")  # disputed, not adjudicated yet
        assert view.taggable_visible() == [4]
        await pilot.press("D")  # back to the adjudicator's own (empty) layer
        assert reader.adjudication is None and app.session.layer is None
        # the disputed filter went with the mode: every sentence again, headings aside
        assert view.taggable_visible() == [i for i in range(17) if i not in (5, 10)]
        assert reader.annotations == {}
    assert gold_of(team, article) == {2: (["trade"], "reviewed", "judge"),
                                      3: (["defence", "diplomacy"], "reviewed", "judge")}
    for name in TAGS:  # the annotators' layers are as they were
        layer = Store.open(team, create=False).load_layers(article).layers()[name]
        assert {i: a.labels for i, a in layer.placed.items()} == TAGS[name]
    out = _ok(cli("export", "-f", "jsonl", "--gold", db=team))
    rows = [json.loads(line) for line in out.splitlines()]
    exported = {r["meta"]["index"]: (r["accept"], r["meta"]["annotator"])
                for r in rows if r["meta"]["article_id"] == article}
    # gold where adjudicated; 1 unanimous (all three said trade); 4 undone and 6 one
    # review are not gold
    assert exported == {1: (["trade"], "ana"), 2: (["trade"], "judge"),
                        3: (["defence", "diplomacy"], "judge")}


async def test_escape_leaves_adjudication_and_one_annotator_is_refused(
        cli, corpus_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    team, article = team_db(cli, corpus_db, tmp_path, {"ana": TAGS["ana"],
                                                      "ben": TAGS["ben"]})
    app = judge_app(team)
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        reader, view = await _open(app, pilot, article)
        normal = view._gutter_width
        await pilot.press("D")
        assert reader.adjudication is not None and view._gutter_width > normal
        await pilot.press("escape")  # leaves adjudication, not the reader
        assert app.screen is reader and reader.adjudication is None
        assert view._gutter_width == normal and app.session.layer is None
        await pilot.press("1")  # the own layer again
        await pilot.pause()
        layers = Store.open(team, create=False).load_layers(article).layers()
        assert GOLD not in layers and layers["judge"].placed[0].labels == ["trade"]
        # another article opened while adjudicating (as the command palette opens one):
        # its reader writes the own layer
        other = next(s.id for s in app.store.summaries() if s.id != article)
        await pilot.press("D")
        assert app.session.layer == GOLD
        reader, view = await _open(app, pilot, other)
        assert app.session.layer is None
        await pilot.press("1")
        layers = Store.open(team, create=False).load_layers(other).layers()
        assert list(layers) == ["judge"]
        # nobody but the adjudicator tagged that article: nothing to adjudicate
        await pilot.press("D")
        await pilot.pause()
        assert reader.adjudication is None and app.session.layer is None
        assert any("Nothing to adjudicate: this article has 1 annotator;" in n.message
                   for n in app._notifications)


async def test_hostile_annotator_names_are_shown_literally(cli, corpus_db, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = {"[@click=app.quit]x[/]": {2: ["trade"]}, "[bold]b[/bold] [/]": {2: []}}
    team, article = team_db(cli, corpus_db, tmp_path, names)
    app = judge_app(team)
    async with app.run_test(size=(200, 30)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D")
        await pilot.press("j", "j")
        assert view.cursor == 2
        key, line = _text(reader.query_one(Legend)), _text(reader.query_one(AdjudicationLine))
        for name in names:
            assert name in key and f"{name}: " in line, (key, line)
        await pilot.press("enter")  # a tie: no majority, nothing runs
        await pilot.press("1")
        assert app.is_running
        assert "gold: trade ★ by judge" in _text(reader.query_one(AdjudicationLine))


async def test_the_reader_without_adjudication_is_unchanged(cli, corpus_db, tmp_path,
                                                           monkeypatch):
    """Mode off: the own layer, the usual gutter and filters, nothing written to gold."""
    monkeypatch.chdir(tmp_path)
    team, article = team_db(cli, corpus_db, tmp_path, TAGS)
    app = judge_app(team)
    async with app.run_test(size=(140, 30)) as pilot:
        reader, view = await _open(app, pilot, article)
        assert not reader.query_one(AdjudicationLine).display
        assert view._gutter_width == len(app.config.labels) + 3
        await pilot.press("j", "j", "1", "f")
        keys = [o.id for o in app.screen.query_one("#filter-options").options]
        assert "disputed" not in keys and "disputed-open" not in keys
        await pilot.press("escape")
        first = view.render_line(view._layout.first_line[view._block_of[2]]
                                 - int(view.scroll_offset.y)).text
        assert first.startswith("▶T··✓ "), first
    layers = Store.open(team, create=False).load_layers(article).layers()
    assert GOLD not in layers and layers["judge"].placed[2].labels == ["trade"]


async def test_changes_from_elsewhere_show_while_adjudicating(cli, corpus_db, tmp_path,
                                                             monkeypatch):
    """The reader's own gold writes leave the filter and cursor alone when the file is
    read again; an annotator's newer export imported meanwhile (another process) is
    worked out again: ben now agrees on sentence 2, which is no longer disputed."""
    import asyncio

    monkeypatch.chdir(tmp_path)
    tags = {"ana": TAGS["ana"], "ben": TAGS["ben"]}
    team, article = team_db(cli, corpus_db, tmp_path, tags)
    app = judge_app(team)
    async with app.run_test(size=(140, 30)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D", "f", "down", "enter")  # disputed: 2 and 3 (4: both none)
        assert view.taggable_visible() == [2, 3]
        await pilot.press("1")  # gold trade on 2, no move
        adjudication = reader.adjudication
        for _ in range(20):  # the reader notices its own write (once a second)
            await pilot.pause(0.1)
        assert reader.adjudication is adjudication and view.taggable_visible() == [2, 3]
        assert view.cursor == 2 and reader.filter_key == "disputed"
        # ben agrees on 2 at home, and his export is imported into the team database
        ben_db = tmp_path / "db-1"
        _ok(await asyncio.to_thread(cli, "--annotator", "ben", "tag", article, "2", "trade",
                                    db=ben_db))
        _ok(await asyncio.to_thread(cli, "--annotator", "ben", "export", "-o",
                                    tmp_path / "ben2.yaml", db=ben_db))
        _ok(await asyncio.to_thread(cli, "--annotator", "judge", "import-annotations",
                                    tmp_path / "ben2.yaml", db=team))
        for _ in range(40):
            await pilot.pause(0.1)
            if reader.adjudication is not adjudication:
                break
        assert reader.adjudication is not None and reader.adjudication.disputes == {3}
        assert reader.adjudication.verdict(2).agreed
        assert view.taggable_visible() == [3]  # the filter, applied to the new reading
        assert reader.annotations[2].labels == ["trade"]  # the gold stays
