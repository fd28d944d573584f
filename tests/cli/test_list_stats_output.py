"""`list --json` and `stats --json` write exactly what json.dumps wrote (issue 14).

At corpus scale they are encoded with msgspec and the index and counts are parsed
with it (json's indent path and parser were most of their cost at 20,000 rows). The
text must not change: titles with controls, bidi overrides, quotes, backslashes,
emoji, line separators come out byte for byte as json.dumps + json_for_terminal
wrote them before.
"""

from __future__ import annotations

import json

from annotations.config import load_config
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.stats import article_rows
from annotations.store import Store, now_iso
from annotations.text import json_for_terminal
from tests.helpers import REPO, summed_stats

TITLES = ["Plain title", 'Quotes " and \\ backslash', "Controls \x1b[2J \x07 \x00 \x7f \x9b",
          "Bidi \u202e reversed \u2066 isolate", "Emoji 🇮🇳 and e\u0301 and رئيس",
          "Line\nbreak\tand tab", "Line separator \u2028 and NEL \x85"]


def _store(tmp_path) -> Store:
    store = Store.open(tmp_path / "db")
    articles = []
    for n, title in enumerate(TITLES):
        text = f"Sentence one of article {n} in Lima.\nSentence two of article {n}."
        first = text.index("\n")
        articles.append(Article(id=f"a{n}", text=text, title=title, source=f"src {title}",
                                published="", sentences=[Sentence(0, 0, first),
                                                         Sentence(1, first + 1, len(text))]))
    store.save_articles([(a, a.id) for a in articles])
    stamp = now_iso()
    store.put_annotations([
        SentenceAnnotation(a.id, 0, a.sentence_text(a.sentences[0]), a.sentences[0].start,
                           a.sentences[0].end, [f"lab{n % 2}", "trade"][: 1 + n % 2],
                           ReviewState.REVIEWED, "", "t", stamp, stamp)
        for n, a in enumerate(articles) if n % 3 != 2])
    return store


def _as_before(value: object) -> str:
    return json_for_terminal(json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def test_list_and_stats_json_are_byte_for_byte_what_json_dumps_wrote(tmp_path, cli):
    store = _store(tmp_path)
    rows = article_rows(store)
    assert [r["title"] for r in rows] == TITLES
    config = REPO / "config.yaml"
    listed = cli("--config", config, "list", "--json", db=store.root)
    assert listed.code == 0, listed.err
    assert listed.out == _as_before(rows)
    stats = cli("--config", config, "stats", "--json", db=store.root)
    assert stats.code == 0, stats.err
    assert stats.out == _as_before(summed_stats(store, load_config(str(config))))
    assert json.loads(stats.out)["reviewed"] == 5


def test_a_wrong_index_row_is_one_line_and_exit_2_for_every_command_reading_rows(tmp_path,
                                                                                 cli):
    """Opening no longer decodes the rows (only the schema): whatever reads them, on a
    terminal or piped, still reports a wrong row, even when the corpus totals are kept."""
    from tests.cli.test_list_screenful import _on_a_terminal

    store = _store(tmp_path)
    assert cli("stats", db=store.root).code == 0  # the corpus totals are kept
    tables = json.loads(store.index_path.read_bytes())
    tables["articles"]["4"]["headings"] = -3
    store.index_path.write_text(json.dumps(tables), "utf-8")
    for args in (["list"], ["list", "--json"], ["stats"], ["stats", "--json"],
                 ["export", "-f", "jsonl"]):
        result = cli(*args, db=store.root)
        assert result.code == 2, (args, result.out)
        assert result.out == ""
        assert len(result.err.strip().splitlines()) == 1, (args, result.err)
        assert f"{store.index_path}: valid JSON but not a newstag index" in result.err
    for args in (["list"], ["stats"]):
        code, lines = _on_a_terminal(args, store.root, rows=12)
        assert code == 2, (args, lines)
        assert lines == []  # the message went to stderr


def _printed_before(store: Store) -> tuple[str, str]:
    """What `list` and the article lines of `stats` printed piped: every line through
    printable, one call each."""
    from annotations.text import printable
    from tui.list_output import HEADER

    rows = article_rows(store)
    listed = [HEADER, *(f"{r['id'][:18]:<18} {r['sentences']:>5} {r['reviewed']:>8} "
                        f"{r['tagged']:>6}  {r['title']} ({r['source']})" for r in rows)]
    stats = [f"  {r['id'][:18]:<18} {r['reviewed']:>4}/{r['sentences']:<4} {r['title']}"
             for r in rows if r["reviewed"]]
    return ("".join(printable(line) + "\n" for line in listed),
            "".join(printable(line) + "\n" for line in stats))


def test_list_and_stats_piped_print_every_line_as_printable_made_it(tmp_path, cli):
    """Piped, the lines are made printable in one pass over the whole text: controls,
    bidi overrides, tabs and line separators come out as before, and a title with a line
    break (which the one pass cannot tell from a row's end) still cannot forge a line."""
    with_break = _store(tmp_path / "break")
    assert any("\n" in r["title"] for r in article_rows(with_break))
    tables = json.loads(with_break.index_path.read_bytes())
    for row in tables["articles"].values():
        row["title"] = row["title"].replace("\n", " ")
    without = tmp_path / "nobreak"
    import shutil

    shutil.copytree(with_break.root, without / "db")
    (without / "db" / "newstag.json").write_text(json.dumps(tables), "utf-8")
    for store in (with_break, Store.open(without / "db", create=False)):
        listed, stats_lines = _printed_before(store)
        result = cli("list", db=store.root)
        assert result.code == 0, result.err
        assert result.out == listed
        assert len(result.out.splitlines()) == 1 + len(TITLES)
        stats = cli("stats", db=store.root)
        assert stats.code == 0, stats.err
        assert stats_lines in stats.out
        assert "\x1b" not in result.out + stats.out and "\u202e" not in result.out


def test_stats_articles_lists_the_reviewed_articles_on_a_terminal_too(tmp_path, cli):
    """On a terminal `stats` prints the totals and a hint; `--articles` adds the line per
    reviewed article a pipe always gets (and changes nothing piped)."""
    from tests.cli.test_list_screenful import _on_a_terminal

    store = _store(tmp_path)
    _, article_lines = _printed_before(store)
    code, plain = _on_a_terminal(["stats"], store.root, rows=40)
    assert code == 0
    assert "'newstag stats --articles'" in "\n".join(plain)
    assert not any(line.startswith("  a0 ") for line in plain)
    code, lines = _on_a_terminal(["stats", "--articles"], store.root, rows=40)
    assert code == 0
    shown = [line for line in lines if line.startswith("  a")]
    assert shown == article_lines.splitlines() and len(shown) == 5
    assert not any("--articles" in line for line in lines)  # no hint then
    piped, asked = cli("stats", db=store.root), cli("stats", "--articles", db=store.root)
    assert piped.code == asked.code == 0 and piped.out == asked.out
    assert article_lines in piped.out
