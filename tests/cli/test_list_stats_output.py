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
from annotations.stats import article_rows, compute_stats
from annotations.store import Store, now_iso
from annotations.text import json_for_terminal
from tests.helpers import REPO

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
    assert stats.out == _as_before(compute_stats(store, load_config(str(config))))
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
