"""`newstag list` on a terminal prints one screenful and reads only those rows' counts
(issue 14: what a listing costs must not grow with the corpus); a pipe gets every row."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from annotations import counts
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.stats import article_rows
from annotations.store import Store, now_iso

ARTICLES = 40


def _article(n: int) -> Article:
    text = f"Envoy {n} met traders in Quito.\nTalks on ferries {n} went on late."
    first = text.index("\n")
    return Article(id=f"art{n:03d}", text=text, title=f"Ferry talks {n}", source="desk",
                   published="", sentences=[Sentence(0, 0, first),
                                            Sentence(1, first + 1, len(text))])


def _library(tmp_path: Path) -> Store:
    """40 articles; every third one has its first sentence tagged trade."""
    store = Store.open(tmp_path / "db")
    articles = [_article(n) for n in range(ARTICLES)]
    store.save_articles([(a, a.id) for a in articles])
    stamp = now_iso()
    store.put_annotations([
        SentenceAnnotation(a.id, 0, a.sentence_text(a.sentences[0]), a.sentences[0].start,
                           a.sentences[0].end, ["trade"], ReviewState.REVIEWED, "", "t",
                           stamp, stamp)
        for n, a in enumerate(articles) if n % 3 == 0])
    return store


def _on_a_terminal(args: list[str], db: Path, rows: int) -> tuple[int, list[str]]:
    """Run the CLI with a real pseudo-terminal of ``rows`` lines as its stdout."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 100, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSTAG_") and k not in ("LINES", "COLUMNS")}
    env["NEWSTAG_DB"] = str(db)
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", *args], stdout=terminal,
                            stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(controller)
    return proc.returncode, b"".join(chunks).decode("utf-8").splitlines()


def test_list_on_a_terminal_prints_one_screenful_and_says_how_to_see_the_rest(tmp_path):
    store = _library(tmp_path)
    code, lines = _on_a_terminal(["list"], store.root, rows=12)
    assert code == 0
    assert len(lines) <= 12 - 1  # room for the next prompt
    assert lines[0].startswith("ID")
    assert lines[1].split()[:4] == ["art000", "2", "1", "1"]
    assert lines[-1].startswith(f"{len(lines) - 2} of {ARTICLES} articles shown")
    assert "--all" in lines[-1]
    code, lines = _on_a_terminal(["list", "--all"], store.root, rows=12)
    assert code == 0
    assert len(lines) == 1 + ARTICLES
    assert lines[-1].startswith("art039")


def test_a_pipe_gets_every_row_and_limit_gets_the_first_n(tmp_path, cli):
    store = _library(tmp_path)
    piped = cli("list", db=store.root)
    assert piped.code == 0, piped.err
    assert len(piped.out.splitlines()) == 1 + ARTICLES  # no "more" line for scripts
    limited = cli("list", "--limit", "3", db=store.root)
    assert limited.code == 0, limited.err
    lines = limited.out.splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["art000", "art001", "art002"]
    assert lines[4] == (f"3 of {ARTICLES} articles shown; 'newstag list --all' lists "
                        "every one (a pipe gets them all)")
    as_json = cli("list", "--json", "--limit", "2", db=store.root)
    assert as_json.code == 0, as_json.err
    assert as_json.out.count('"id"') == 2


def test_a_limit_below_one_is_one_line_and_exit_2(tmp_path, cli):
    store = _library(tmp_path)
    for bad in ("0", "-4", "many"):
        result = cli("list", "--limit", bad, db=store.root)
        assert result.code == 2
        assert result.out == ""
        assert len(result.err.strip().splitlines()) == 1
        assert "--limit" in result.err and "Traceback" not in result.err


def test_the_first_rows_read_only_their_shards_and_still_heal_a_damaged_one(tmp_path):
    """A limited listing reads the shards of its rows only, and a shard of those that is
    damaged is recounted and rewritten, as a full read does."""
    store = _library(tmp_path)
    full = {r["id"]: r for r in article_rows(store)}
    folder = store.root / counts.COUNTS_DIR
    first = folder / counts.shard_name("art000")
    first.write_text("{not json", "utf-8")
    untouched = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")
                 if p.name not in (first.name, counts.META)}
    rows = article_rows(Store.open(store.root, create=False), limit=2)
    assert rows == [full["art000"], full["art001"]]
    assert rows[0]["reviewed"] == 1 and rows[0]["labels"] == {"trade": 1}
    assert counts.CountsFiles(store.root).read_shard(first.name)["art000"].reviewed == 1
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")
            if p.name in untouched} == untouched  # no other shard written
    # The rest of that shard is recounted by the next full read, nothing lost.
    assert {r["id"]: r for r in article_rows(Store.open(store.root, create=False))} == full
