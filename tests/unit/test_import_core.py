"""Store transactions and the annotation-import core (issue 8 items 3-5, hostile files).

The databases here are built without spaCy (articles with hand-made sentence
offsets, written through the real Store to real TinyDB files), so the CLI runs
in its subprocesses stay fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from annotations.store import Store
from annotations.yamlio import dump_yaml
from tests.helpers import article_of_lines as _article
from tests.helpers import db_of_articles
from tests.helpers import put_tag as _tag

ARTICLES = {
    "alpha": ["Alpha One", "Ministers in Oslo agreed a fishing treaty on Monday.",
              "The treaty cuts tariffs on salmon by half.",
              "Navies of both countries will patrol the shared waters."],
    "bravo": ["Bravo Two", "Talks in Lima stalled over copper export quotas.",
              "Officials said a deal could come next spring."],
    "charlie": ["Charlie Three", "A summit in Accra discussed cocoa prices.",
                "Delegates signed a joint statement on port security."],
}


def _make_db(root: Path, articles: dict[str, list[str]] = ARTICLES) -> Store:
    return db_of_articles(root, articles)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _one_line_error(result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.err[-500:])
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err[-2000:]
    assert len(lines[0]) < 300 + len(str(needles[0]) if needles else ""), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- item 3: one transaction per article -----------------------------------------
def _waiting_for_lock(pid: int, lock: Path) -> bool:
    """Whether process ``pid`` is blocked on the flock of ``lock`` (Linux /proc/locks)."""
    inode = f":{lock.stat().st_ino} "
    return any("->" in line and f" {pid} " in line and inode in line
               for line in Path("/proc/locks").read_text().splitlines())


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_second_process_tagging_keeps_the_note_written_while_it_waited(tmp_path):
    """Process B tags sentence 1 while this process (A) holds the lock and writes a
    note on the same sentence; B must build on A's note, not on what it read before.

    Deterministic: B is seen waiting on the lock (in /proc/locks) before A writes.
    """
    store = _make_db(tmp_path / "db")
    script = (
        "import sys\n"
        "from annotations.config import load_config\n"
        "from annotations.store import Store\n"
        "from annotations.tagging import TagChange, apply_changes\n"
        "store = Store.open(sys.argv[1], create=False)\n"
        "apply_changes(store, load_config(), [TagChange('alpha', 1, labels=('trade',))])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
    holder = Store(store.root)
    with holder.locked():
        proc = subprocess.Popen([sys.executable, "-c", script, str(store.root)], cwd=tmp_path,
                                env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _waiting_for_lock(proc.pid, store.root / ".lock"):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the tagging process never waited for the lock"
            time.sleep(0.01)
        _tag(holder, "alpha", 1, [], note="written by A while B waited")
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    annotation = Store(store.root).annotations("alpha")[1]
    assert annotation.labels == ["trade"]
    assert annotation.note == "written by A while B waited"


def test_the_reader_builds_on_the_stored_annotation_not_its_stale_view(tmp_path, config):
    from annotations.session import TaggingSession

    store = _make_db(tmp_path / "db")
    article = store.load_article("alpha")
    session = TaggingSession(store, config)  # the reader, open before B wrote
    _tag(Store(store.root), "alpha", 2, ["defence"], note="from a script")
    session.toggle_label(article, 2, "trade")
    annotation = store.annotations("alpha")[2]
    assert annotation.labels == ["trade", "defence"]
    assert annotation.note == "from a script"


def test_a_transaction_writes_once_and_nothing_when_it_fails(store):
    store.save_articles([(_article("alpha", ARTICLES["alpha"]), "c")])
    _tag(store, "alpha", 1, ["trade"])
    path = store.root / "annotations" / "alpha.json"
    before = path.read_bytes(), path.stat().st_ino
    with pytest.raises(RuntimeError), store.annotations_of("alpha") as current:
        current.remove(1)
        raise RuntimeError("stop")
    with store.annotations_of("alpha") as current:
        assert 1 in current.placed  # read, not changed: no write
    assert (path.read_bytes(), path.stat().st_ino) == before
    with store.annotations_of("alpha") as current, store.annotations_of("alpha") as inner:
        assert inner is current  # nested: shared, written once by the outer one
        current.remove(1)
    assert store.annotations("alpha") == {}


# -- items 4 and 5 through the CLI ----------------------------------------------
@pytest.mark.parametrize("spoil", ["third-article", "unplaced"])
def test_a_refused_yaml_import_changes_nothing(cli, tmp_path, spoil):
    source = _make_db(tmp_path / "source")
    for article_id in ARTICLES:
        _tag(source, article_id, 1, ["trade"])
    export = tmp_path / "export.yaml"
    assert cli("export", "-o", export, db=source.root).code == 0
    data = yaml.safe_load(export.read_text("utf-8"))
    if spoil == "third-article":
        data["articles"][2]["sentences"][0]["start"] = "twelve"
        where = "articles[2].sentences[0].start"
    else:
        data["unplaced"] = "nowhere"  # today: refused after the articles were merged
        where = "unplaced"
    export.write_text(dump_yaml(data), "utf-8")
    target = _make_db(tmp_path / "target")  # same articles, no tags: a good file changes it
    before = _snapshot(target.root)
    _one_line_error(cli("import-annotations", export, db=target.root), str(export), where)
    assert _snapshot(target.root) == before


@pytest.mark.parametrize("fmt, import_as", [("doccano", "doccano"), ("jsonl", "prodigy"),
                                            ("yaml", "yaml")])
def test_a_stale_reimport_keeps_the_newer_local_tag(cli, tmp_path, fmt, import_as):
    store = _make_db(tmp_path / "db")
    assert cli("tag", "alpha", "1", "trade", db=store.root).code == 0
    older = tmp_path / f"older.{fmt}"
    assert cli("export", "-f", fmt, "-o", older, db=store.root).code == 0
    assert cli("tag", "alpha", "1", "defence", db=store.root).code == 0
    r = cli("import-annotations", "-f", import_as, older, db=store.root)
    assert r.code == 0, r.err
    assert "1 conflict kept local" in r.out
    assert Store(store.root).annotations("alpha")[1].labels == ["defence"]
    r = cli("import-annotations", "-f", import_as, older, "--overwrite", db=store.root)
    assert r.code == 0, r.err
    assert Store(store.root).annotations("alpha")[1].labels == ["trade"]


def test_a_newer_file_without_timestamps_wins_by_its_modification_time(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _tag(store, "alpha", 1, ["defence"], stamp="2024-01-01T00:00:00.000Z")
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"text": ARTICLES["alpha"][1], "label": ["trade"]}) + "\n")
    r = cli("import-annotations", "-f", "doccano", newer, db=store.root)
    assert r.code == 0 and "conflict" not in r.out, (r.out, r.err)
    assert store.annotations("alpha")[1].labels == ["trade"]


@pytest.mark.parametrize("fmt, import_as", [("jsonl", "prodigy"), ("doccano", "doccano")])
def test_sentences_with_unicode_line_separators_import_again(cli, tmp_path, fmt, import_as):
    articles = {"delta": ["Delta Four", "The envoy said\u2028 tariffs stay and\u0085 troops leave.",
                          "A plain sentence follows here."]}
    store = _make_db(tmp_path / "db", articles)
    assert cli("tag", "delta", "1", "trade", db=store.root).code == 0
    out = tmp_path / f"out.{fmt}"
    assert cli("export", "-f", fmt, "-o", out, db=store.root).code == 0
    assert "\u2028" in out.read_text("utf-8")
    fresh = _make_db(tmp_path / "fresh", articles)
    r = cli("import-annotations", "-f", import_as, out, db=fresh.root)
    assert r.code == 0, r.err
    assert r.out.startswith("imported 1 annotations")
    assert fresh.annotations("delta")[1].labels == ["trade"]


# -- hostile files: one line, exit 2, nothing changed -------------------------------
def _yaml_doc(sentence: str, extra: str = "") -> str:
    return ("format: newstag-annotations\nversion: 1\n" + extra + "articles:\n- id: alpha\n"
            "  sentences:\n  - text: The treaty cuts tariffs on salmon by half.\n"
            "    labels: [trade]\n" + sentence)


_BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True))
_LINE = "\u00e9" * 2_000_000
HOSTILE = {
    "yaml-huge-int": ("yaml", _yaml_doc("    index: 1" + "0" * 5000 + "\n"), "index"),
    "yaml-inf-index": ("yaml", _yaml_doc("    index: .inf\n"), "index"),
    "yaml-nan-start": ("yaml", _yaml_doc("    start: .nan\n"), "start"),
    "yaml-string-index": ("yaml", _yaml_doc("    index: '3'\n"), "index"),
    "yaml-list-end": ("yaml", _yaml_doc("    end: [1, 2]\n"), "end"),
    "yaml-deep": ("yaml", "format: newstag-annotations\nversion: 1\narticles: "
                  + "[" * 100_000 + "]" * 100_000 + "\n", ""),
    "yaml-alias-bomb": ("yaml", "format: newstag-annotations\nversion: 1\na: &a [lol, lol]\n"
                        + _BOMB + "articles: *i\n", ""),
    "yaml-alias-bomb-in-unknown-key": (
        "yaml", "format: newstag-annotations\nversion: 1\na: &a [lol, lol]\n" + _BOMB
        + "articles: []\nextra: *i\n", "alias"),
    "yaml-label-not-string": ("yaml", _yaml_doc("").replace("[trade]", "[1, {a: b}]"),
                              "articles[0].sentences[0].labels[0]"),
    "yaml-text-wrong-type": ("yaml", _yaml_doc("").replace(
        "text: The treaty cuts tariffs on salmon by half.", "text: {a: 1}"), "text"),
    "yaml-huge-line": ("yaml", _yaml_doc("").replace(
        "The treaty cuts tariffs on salmon by half.", _LINE), "text"),
    "yaml-empty-id": ("yaml", _yaml_doc("").replace("id: alpha", "id: ''"), "articles[0].id"),
    "yaml-bad-time": ("yaml", _yaml_doc("    updated_at: yesterday\n"), "updated_at"),
    "yaml-unplaced-not-list": ("yaml", _yaml_doc("", "unplaced: 7\n"), "unplaced"),
    "yaml-version-huge": ("yaml", "format: newstag-annotations\nversion: 1" + "0" * 5000
                          + "\narticles: []\n", ""),
    "prodigy-timestamp-1e20": ("prodigy", '{"text": "x y.", "accept": ["trade"], '
                               '"answer": "accept", "_timestamp": 1e20}', "_timestamp"),
    "prodigy-timestamp-inf": ("prodigy", '{"text": "x y.", "accept": ["trade"], '
                              '"answer": "accept", "_timestamp": Infinity}', "_timestamp"),
    "prodigy-timestamp-nan": ("prodigy", '{"text": "x y.", "label": "trade", '
                              '"answer": "accept", "_timestamp": NaN}', "_timestamp"),
    "prodigy-timestamp-string": ("prodigy", '{"text": "x y.", "label": "trade", '
                                 '"answer": "accept", "_timestamp": "soon"}', "_timestamp"),
    "prodigy-huge-int": ("prodigy", '{"text": "x y.", "label": "trade", "answer": "accept", '
                         '"_timestamp": 1' + "0" * 5000 + "}", "line 1"),
    "prodigy-deep": ("prodigy", "[" * 100_000 + "]" * 100_000, "line 1"),
    "prodigy-deep-meta": ("prodigy", '{"text": "x y.", "answer": "accept", "accept": [], '
                          '"meta": ' + "[" * 100_000 + "]" * 100_000 + "}", "line 1"),
    "prodigy-label-not-string": ("prodigy", '{"text": "x y.", "answer": "accept", '
                                 '"accept": [1, 2]}', "accept[0]"),
    "prodigy-text-wrong-type": ("prodigy", '{"text": 5, "answer": "accept", "accept": []}',
                                "text"),
    "prodigy-meta-index-list": ("prodigy", '{"text": "x y.", "answer": "accept", "accept": [],'
                                ' "meta": {"index": [1]}}', "meta.index"),
    "prodigy-meta-not-object": ("prodigy", '{"text": "x y.", "answer": "accept", '
                                '"accept": [], "meta": "m"}', "meta"),
    "prodigy-lone-surrogate": ("prodigy", '{"text": "x \\ud800 y.", "answer": "accept", '
                               '"accept": []}', "surrogate"),
    "prodigy-huge-text": ("prodigy", json.dumps({"text": _LINE, "answer": "accept",
                                                 "accept": []}, ensure_ascii=False), "text"),
    "prodigy-huge-line": ("prodigy", json.dumps({"text": _LINE, "answer": "accept",
                                                 "accept": []}), "a line of"),
    "prodigy-second-line-bad": ("prodigy", '{"text": "x y.", "answer": "accept", "accept": []}'
                                '\n{"text": "z.", "answer": "accept", "accept": "trade"}',
                                "line 2"),
    "doccano-comments-string": ("doccano", '{"text": "x y.", "label": [], "Comments": "abc"}',
                                "Comments"),
    "doccano-comments-number": ("doccano", '{"text": "x y.", "label": [], "Comments": 5}',
                                "Comments"),
    "doccano-comments-items": ("doccano", '{"text": "x y.", "label": [], "Comments": [5]}',
                               "Comments"),
    "doccano-sequence-form": ("doccano", '{"text": "x y.", "label": [[0, 1, "GPE"]]}',
                              "sequence-labelling"),
    "doccano-label-string": ("doccano", '{"text": "x y.", "label": "trade"}', "label"),
    "doccano-text-list": ("doccano", '{"text": ["x"], "label": []}', "text"),
    "doccano-huge-int": ("doccano", '{"text": "x y.", "label": [], "n": 1' + "0" * 5000 + "}",
                         "line 1"),
    "doccano-deep": ("doccano", '{"text": "x y.", "label": ' + "[" * 100_000
                     + "]" * 100_000 + "}", "line 1"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_annotation_files_end_in_one_line(cli, tmp_path, name):
    fmt, content, needle = HOSTILE[name]
    store = _make_db(tmp_path / "db")
    _tag(store, "alpha", 2, ["trade"], note="keep me")
    before = _snapshot(store.root)
    path = tmp_path / f"{name}.{'yaml' if fmt == 'yaml' else 'jsonl'}"
    path.write_text(content, "utf-8", errors="surrogatepass")
    needles = [str(path)] + ([needle] if needle else [])
    _one_line_error(cli("import-annotations", "-f", fmt, path, db=store.root), *needles)
    assert _snapshot(store.root) == before
