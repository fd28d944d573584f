"""Every export format, parsed back with its consumer's own library; imports and round trips."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.formats import (
    doccano_record,
    export_csv,
    export_docbin,
    export_jsonl,
    prodigy_task,
)
from annotations.importing import apply
from annotations.ingest import import_paths
from annotations.interchange import read_file
from annotations.selection import ExportFilter, iter_rows
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes

TEXT = (
    "Ministers Meet in Zürich\n\n"
    "India and the United States met in Zürich on Monday to discuss tariffs on steel.\n"
    "Café owners in Genève complained to Emmanuel Macron about the army's new base.\n"
    "Officials in Tokyo said nothing at all on Tuesday.\n"
    "Germany and France will hold a summit in Berlin on defence procurement.\n"
    "Canada stayed out of the talks in Ottawa.\n"
)
NOTE = 'He said "no" [sic], then {left}'


@pytest.fixture
def tagged(tmp_path, nlp, config):
    store = Store.open(tmp_path / "db")
    src = tmp_path / "zurich.txt"
    src.write_text(TEXT, "utf-8")
    [aid] = import_paths(store, [src], lambda: nlp).added
    apply_changes(store, config, [
        TagChange(aid, 1, labels=("trade", "diplomacy")),
        TagChange(aid, 2, labels=("defence",), note=NOTE),
        TagChange(aid, 3, none=True),
        TagChange(aid, 4, note="unreviewed, noted"),
    ])
    return store, aid, src


def _rows(store, **kw):
    mode = kw.pop("mode", "reviewed")
    return iter_rows(store, ExportFilter(sentences=mode, **kw))


def test_prodigy_jsonl(tagged, config):
    store, aid, _ = tagged
    text = export_jsonl(_rows(store), lambda r: prodigy_task(r, config))
    tasks = [json.loads(line) for line in text.splitlines()]
    assert [t["accept"] for t in tasks] == [["trade", "diplomacy"], ["defence"], []]
    assert all(t["answer"] == "accept" for t in tasks)
    assert tasks[0]["options"] == [{"id": n, "text": n} for n in config.label_names]
    assert tasks[1]["meta"] == {"article_id": aid, "title": "Ministers Meet in Zürich",
                                "index": 2, "note": NOTE, "annotator": config.annotator}
    for task in tasks:
        assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)
        assert isinstance(task["_timestamp"], int) and task["_timestamp"] > 1_700_000_000
        for span in task["spans"]:
            assert task["text"][span["start"]:span["end"]].strip()
    assert "Zürich" in tasks[0]["text"]
    again = export_jsonl(_rows(store), lambda r: prodigy_task(r, config))
    assert again == text  # hashes and everything else are stable


def test_doccano_both_forms(tagged):
    store, _, _ = tagged
    records = [json.loads(x) for x in export_jsonl(
        _rows(store), lambda r: doccano_record(r, False)).splitlines()]
    assert [r["label"] for r in records] == [["trade", "diplomacy"], ["defence"], []]
    assert records[1]["Comments"] == [NOTE]
    ner = [json.loads(x) for x in export_jsonl(
        _rows(store), lambda r: doccano_record(r, True)).splitlines()]
    for record in ner:
        for start, end, label in record["label"]:
            assert record["text"][start:end].strip() and label.isupper()
    assert any(r["label"] for r in ner)


def test_csv_one_column_per_label(tagged, config):
    store, aid, _ = tagged
    rows = list(csv.DictReader(io.StringIO(export_csv(_rows(store), config))))
    assert list(rows[0]) == ["article_id", "index", "text", "trade", "defence", "diplomacy",
                             "note"]
    assert [(r["trade"], r["defence"], r["diplomacy"]) for r in rows] == [
        ("1", "0", "1"), ("0", "1", "0"), ("0", "0", "0")]
    assert rows[1]["note"] == NOTE and rows[0]["article_id"] == aid
    everything = list(csv.DictReader(io.StringIO(export_csv(_rows(store, mode="all"),
                                                            config))))
    assert len(everything) == 5  # sentences 1 to 5


def test_filters_apply_to_every_format(tagged, config):
    store, aid, _ = tagged
    assert [r.index for r in _rows(store, labels=["defence"])] == [2]
    assert [r.index for r in _rows(store, mode="annotated")] == [1, 2, 3, 4]
    assert [r.index for r in _rows(store, mode="all")] == [1, 2, 3, 4, 5]
    assert [r.index for r in _rows(store, article_refs=[aid[:5]])] == [1, 2, 3]


def test_spacy_docbin_loads_and_trains(tagged, config, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    store, _, _ = tagged
    path = tmp_path / "train.spacy"
    assert export_docbin(_rows(store, mode="all"), config, path) == 5
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert docs[0].cats == {"trade": 1.0, "defence": 0.0, "diplomacy": 1.0}
    assert docs[2].cats == {"trade": 0.0, "defence": 0.0, "diplomacy": 0.0}
    assert {e.text for e in docs[0].ents} >= {"India", "Zürich"}
    cfg = tmp_path / "config.cfg"
    run = [sys.executable, "-m", "spacy"]
    subprocess.run([*run, "init", "config", str(cfg), "-l", "en", "-p", "textcat_multilabel",
                    "-o", "efficiency", "-F"], check=True, capture_output=True, timeout=300)
    trained = subprocess.run(
        [*run, "train", str(cfg), "--paths.train", str(path), "--paths.dev", str(path),
         "--training.max_steps", "6", "--training.eval_frequency", "3",
         "--output", str(tmp_path / "model")], capture_output=True, text=True, timeout=600)
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert (tmp_path / "model" / "model-last" / "meta.json").exists()


def test_prodigy_and_doccano_imports_attach_by_text(tagged, config, tmp_path, nlp):
    store, aid, src = tagged
    prodigy = tmp_path / "prodigy.jsonl"
    sentences = TEXT.splitlines()
    prodigy.write_text("\n".join(json.dumps(x) for x in [
        {"text": sentences[5], "label": "defence", "answer": "accept"},
        {"text": sentences[5], "label": "diplomacy", "answer": "accept"},
        {"text": sentences[5], "label": "trade", "answer": "reject"},
        {"text": sentences[4], "options": [], "accept": [], "answer": "accept"},
        {"text": "A sentence that is in no article.", "label": "trade", "answer": "accept"},
        {"text": sentences[2], "label": "trade"},  # no answer: skipped
    ]) + "\n", "utf-8")
    fresh = Store.open(tmp_path / "fresh")
    import_paths(fresh, [src], lambda: nlp)
    parsed = read_file(prodigy, "prodigy")
    assert parsed.skipped == 1
    report = apply(fresh, parsed, config.label_names, "me", lambda: nlp)
    placed = fresh.annotations(aid)
    assert placed[4].labels == ["defence", "diplomacy"]  # binary answers merged
    assert placed[3].labels == [] and placed[3].state.value == "reviewed"
    assert [o.text for o in report.orphaned] == ["A sentence that is in no article."]
    assert [u.labels for u in fresh.unplaced()] == [["trade"]]
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(json.dumps({"text": sentences[3], "label": ["trade"],
                                   "Comments": ["c1"]}) + "\n", "utf-8")
    apply(fresh, read_file(doccano, "doccano"), config.label_names, "me", lambda: nlp)
    assert fresh.annotations(aid)[2].labels == ["trade"]
    assert fresh.annotations(aid)[2].note == "c1"


@pytest.mark.parametrize("fmt, import_as", [("yaml", "yaml"), ("jsonl", "prodigy"),
                                            ("doccano", "doccano")])
def test_export_import_export_round_trip(cli, tagged, tmp_path, fmt, import_as):
    store, _, src = tagged
    first = tmp_path / f"first.{fmt}"
    assert cli("export", "-f", fmt, "-o", first, db=store.root).code == 0
    fresh = tmp_path / f"fresh-{fmt}"
    assert cli("import", src, db=fresh).code == 0
    r = cli("import-annotations", "-f", import_as, first, db=fresh)
    assert r.code == 0, r.err
    second = tmp_path / f"second.{fmt}"
    assert cli("export", "-f", fmt, "-o", second, db=fresh).code == 0
    drop = lambda p: [x for x in Path(p).read_text().splitlines()  # noqa: E731
                      if not x.startswith("exported_at")]
    assert drop(first) == drop(second)


def test_html_page_keeps_the_article_and_drops_the_boilerplate(tmp_path, nlp):
    page = tmp_path / "page.html"
    page.write_text("""<!DOCTYPE html><html><head><title>Truce | Example News</title>
<meta property="og:title" content="EU and US extend tariff truce on steel">
<meta property="article:published_time" content="2026-03-14T09:00:00Z"></head><body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<main><article><h1>EU and US extend tariff truce on steel</h1>
<p>The European Union and the United States agreed on Friday to extend their truce on steel
and aluminium tariffs for another two years, officials in Brussels said.</p>
<p>The deal keeps quotas in place while negotiators work on a wider arrangement.</p>
<h2>Security concerns</h2>
<p>Several NATO members argued that domestic steel capacity is a matter of defence.</p>
</article></main>
<aside class="most-read"><h3>Most read</h3><ol><li><a href="/a">Celebrity wedding stuns
fans</a></li></ol></aside>
<footer><p>© 2026 Example News. All rights reserved. Privacy policy.</p></footer>
</body></html>""", "utf-8")
    store = Store.open(tmp_path / "db")
    report = import_paths(store, [page], lambda: nlp)
    [aid] = report.added
    article = store.load_article(aid)
    assert article.title == "EU and US extend tariff truce on steel"
    assert article.published == "2026-03-14"
    assert "officials in Brussels said" in article.text
    assert "Security concerns" in [article.sentence_text(s) for s in article.sentences
                                   if s.heading]
    for junk in ("cookies", "Home", "Most read", "Celebrity", "All rights reserved"):
        assert junk not in article.text
