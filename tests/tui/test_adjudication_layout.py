"""What the adjudicator can read under the article (issue 12): the gold decision for the
cursor's sentence, every annotator's word on it, and whose column group is whose, at the
terminal sizes the README's trial uses, with several annotators and long names.

What is checked is what the widgets draw in their region (their lines, cut to their size
as on screen), not the Content they were given.
"""

from __future__ import annotations

from textual.geometry import Region

from tests.tui.test_adjudication import TAGS, _open, judge_app, team_db
from tui.reader.adjudication_line import AdjudicationLine
from tui.reader.legend import Legend


def _on_screen(widget) -> str:
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(line.text.strip() for line in lines)


async def test_the_gold_decision_is_on_screen_at_120_columns(cli, corpus_db, tmp_path,
                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    team, article = team_db(cli, corpus_db, tmp_path, TAGS)
    app = judge_app(team)
    async with app.run_test(size=(120, 35)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D", "j", "j", "j")  # 3: ana defence, ben diplomacy: a tie
        await pilot.pause()
        assert view.cursor == 3
        shown = _on_screen(reader.query_one(AdjudicationLine))
        assert "gold: no majority (a tie): choose the labels, or 0 for none apply" in shown


async def test_seven_annotators_with_long_names_are_all_named(cli, corpus_db, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = {f"p{n}": {2: ["trade"] if n % 2 else []} for n in range(5)}
    names |= {"q" + "x" * 79: {2: ["trade"]}, "漢" * 40: {2: []}}  # 80 cells, 80 columns
    team, article = team_db(cli, corpus_db, tmp_path, names)
    app = judge_app(team)
    async with app.run_test(size=(120, 35)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D", "j", "j")
        await pilot.pause()
        assert view.cursor == 2 and len(reader.adjudication.annotators) == 7
        shown = _on_screen(reader.query_one(AdjudicationLine))
        assert "gold: majority none apply" in shown, shown
        for n in range(5):
            assert f"p{n}: {'trade' if n % 2 else 'none apply'}" in shown, shown
        # the gutter's key: the six column groups' names (a long one cut short) and gold
        key = _on_screen(reader.query_one(Legend))
        cut = "q" + "x" * 22 + "…"  # 24 cells
        assert f"p0 │ p1 │ p2 │ p3 │ p4 │ {cut} │ +1 (line below) │ ≠=★ │ gold" in key, key


async def test_a_line_that_wraps_keeps_the_cursors_sentence_in_sight(cli, corpus_db, tmp_path,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    team, article = team_db(cli, corpus_db, tmp_path, TAGS)
    app = judge_app(team)
    async with app.run_test(size=(130, 12)) as pilot:
        reader, view = await _open(app, pilot, article)
        await pilot.press("D", "j", "j")
        await pilot.pause()
        assert reader.query_one(AdjudicationLine).size.height == 1
        await pilot.press("j")  # 3: the tie's line takes two rows, the article one less
        await pilot.pause()
        assert view.cursor == 3 and reader.query_one(AdjudicationLine).size.height == 2
        block = view._block_of[3]
        top, rows = view._layout.first_line[block], len(view._layout.line_starts[block])
        assert view.scroll_y <= top and top + rows <= view.scroll_y + view.size.height
