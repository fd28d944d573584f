"""The database folder is the only place newstag writes: links out of it are refused,
file names are injective over ids, and ``export -o`` never replaces a special file."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from annotations.atomic_io import write_output
from annotations.store import Store, file_stem, legacy_file_stem
from tests.durability import make_database


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry below ``folder`` (links not followed): files with their bytes."""
    found: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            found[os.path.relpath(os.path.join(dirpath, name), folder)] = None
        for name in filenames:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return found


@pytest.fixture
def victim(tmp_path) -> Path:
    """A user's folder outside the database, with dot-entries and many sub-folders."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / ".profile").write_text("export KEEP=1\n")
    (folder / ".config").mkdir()
    (folder / ".config" / "app.ini").write_text("[keep]\n")
    old = time.time() - 10 * 24 * 3600  # old enough that a backup looks due
    for i in range(8):
        sub = folder / f"2020010{i}-photos"
        sub.mkdir()
        (sub / "holiday.jpg").write_bytes(b"\xff\xd8 not really a jpeg %d" % i)
        os.utime(sub, (old, old))
    return folder


@pytest.fixture
def db(tmp_path) -> Path:
    root = tmp_path / "db"
    make_database(root)  # one article, "crash-test", 40 sentences
    return root


def _refused(result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def _link(entry: Path, target: Path) -> None:
    if entry.is_dir():
        import shutil

        shutil.rmtree(entry)
    elif entry.exists():
        entry.unlink()
    entry.symlink_to(target, target_is_directory=target.is_dir())


def test_tag_refuses_a_symlinked_backups_folder(cli, db, victim):
    before = _tree(victim)
    _link(db / "backups", victim)
    r = cli("tag", "crash-test", "1", "trade", db=db)
    _refused(r, str(db / "backups"), "symbolic link")
    assert _tree(victim) == before


def test_a_symlinked_lock_creates_no_file_outside(cli, db, victim):
    before = _tree(victim)
    _link(db / ".lock", victim / "created-by-newstag")
    r = cli("tag", "crash-test", "1", "trade", db=db)
    _refused(r, ".lock", "symbolic link")
    assert _tree(victim) == before
    assert not (db / "annotations" / "crash-test.json").exists()  # nothing was tagged


def test_import_refuses_a_symlinked_articles_folder(cli, db, victim, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "new-one", "text": "Oslo hosted trade talks."}) + "\n")
    (victim / "articles").mkdir()
    (db / "articles").rename(victim / "articles")  # the database's files now live outside
    before = _tree(victim)
    _link(db / "articles", victim / "articles")
    r = cli("import", feed, db=db)
    _refused(r, str(db / "articles"), "symbolic link")
    assert _tree(victim) == before


def test_tag_refuses_a_symlinked_annotations_folder(cli, db, victim):
    cli("tag", "crash-test", "2", "defence", db=db)
    (db / "annotations").rename(victim / "annotations")
    before = _tree(victim)
    _link(db / "annotations", victim / "annotations")
    r = cli("tag", "crash-test", "1", "trade", db=db)
    _refused(r, str(db / "annotations"), "symbolic link")
    assert _tree(victim) == before


def test_tag_refuses_a_symlinked_counts_folder(cli, db, victim):
    """counts/ is written on every tag: a link there must not be written through."""
    assert cli("tag", "crash-test", "2", "defence", db=db).code == 0
    (db / "counts").rename(victim / "counts")
    before = _tree(victim)
    _link(db / "counts", victim / "counts")
    r = cli("tag", "crash-test", "1", "trade", db=db)
    _refused(r, str(db / "counts"), "symbolic link")
    assert _tree(victim) == before


def test_tag_refuses_a_symlinked_annotation_file(cli, db, victim):
    assert cli("tag", "crash-test", "2", "defence", db=db).code == 0
    live = db / "annotations" / "crash-test.json"
    outside = victim / "notes.json"
    outside.write_bytes(live.read_bytes())
    before = _tree(victim)
    _link(live, outside)
    r = cli("tag", "crash-test", "1", "trade", db=db)
    _refused(r, str(live), "symbolic link")
    assert _tree(victim) == before


def test_doctor_repair_refuses_a_symlinked_quarantine(cli, db, victim):
    before = _tree(victim)
    (db / "newstag.json").write_text('{"meta": ')  # damaged: repair would quarantine it
    _link(db / "quarantine", victim)
    r = cli("doctor", "--repair", db=db)
    _refused(r, "quarantine", "symbolic link")
    assert _tree(victim) == before
    assert (db / "newstag.json").read_text() == '{"meta": '


def test_doctor_repair_refuses_a_symlinked_backups_folder(cli, db, victim):
    before = _tree(victim)
    (db / "newstag.json").write_text('{"meta": ')
    _link(db / "backups", victim)
    r = cli("doctor", "--repair", db=db)
    _refused(r, "backups", "symbolic link")
    assert _tree(victim) == before


# -- file names are injective over ids ---------------------------------------------------
def test_an_id_shaped_like_a_hashed_name_does_not_overwrite_that_article(cli, tmp_path):
    unsafe = "reuters/2024/01/trade-talks"
    lookalike = "h-" + hashlib.sha256(unsafe.encode()).hexdigest()[:24]  # the old name
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": unsafe, "title": "First", "text": "Oslo hosted trade talks.\n"
                    "Ministers met on Monday."}) + "\n"
        + json.dumps({"id": lookalike, "title": "Second", "text": "Lagos signed a defence "
                      "pact.\nThe navy will train together."}) + "\n")
    db = tmp_path / "db"
    assert cli("import", feed, db=db).code == 0
    assert cli("tag", unsafe, "0", "trade", db=db).code == 0
    assert cli("tag", lookalike, "1", "defence", db=db).code == 0
    store = Store.open(db, create=False)
    assert {s.id: s.title for s in store.summaries()} == {unsafe: "First", lookalike: "Second"}
    assert store.load_article(unsafe).text.startswith("Oslo")
    assert store.load_article(lookalike).text.startswith("Lagos")
    assert store.annotations(unsafe)[0].labels == ["trade"]
    assert store.annotations(lookalike)[1].labels == ["defence"]


def test_file_names_are_distinct_even_ignoring_case():
    unsafe = "a/b"
    ids = ["abc", "Abc", "ABC", unsafe, "h-" + hashlib.sha256(b"a/b").hexdigest()[:24],
           "h-" + hashlib.sha256(b"a/b").hexdigest(), "con", "CON", "a" * 80, "a" * 81,
           "x.", "x", "h-", "H-1", "h_1"]
    names = [file_stem(i) for i in ids]
    assert len({n.lower() for n in names}) == len(ids), names
    assert all(len(n) <= 80 or (n.startswith("h-") and len(n) == 66) for n in names)


def test_a_schema_2_database_is_read_then_migrated_to_the_new_names(tmp_path):
    from annotations.model import Article, Sentence

    root = tmp_path / "db"
    store = Store.open(root)
    ids = ["Reuters-1", "h-0123456789abcdef01234567", "a/b"]
    for n, article_id in enumerate(ids):
        text = f"Article {n} is about trade."
        store.save_article(Article(id=article_id, text=text, title=f"T{n}",
                                   sentences=[Sentence(0, 0, len(text))]), f"c{n}")
    # Lay the folder out as schema 2 did: its names, its schema version.
    for folder in ("articles", "annotations"):
        for article_id in ids:
            new = root / folder / f"{file_stem(article_id)}.json"
            if new.exists():
                new.rename(root / folder / f"{legacy_file_stem(article_id)}.json")
    index = json.loads((root / "newstag.json").read_text())
    index["meta"]["1"]["schema_version"] = 2
    (root / "newstag.json").write_text(json.dumps(index))
    old = Store.open(root, create=False)  # read-only: no migration, the old names are used
    assert [old.load_article(i).title for i in ids] == ["T0", "T1", "T2"]
    migrated = Store.open(root)
    assert [migrated.load_article(i).title for i in ids] == ["T0", "T1", "T2"]
    assert sorted(p.name for p in (root / "articles").glob("*.json")) == sorted(
        f"{file_stem(i)}.json" for i in ids)


# -- export -o never replaces a special file -----------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "spacy"])
def test_export_into_a_fifo_writes_into_it(cli, db, tmp_path, fmt):
    assert cli("tag", "crash-test", "3", "trade", db=db).code == 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)  # never hangs the run
    reader.start()
    r = cli("export", "-f", fmt, "-o", fifo, db=db)
    reader.join(timeout=60)
    assert r.code == 0, r.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    if fmt == "jsonl":
        assert b"Sentence number 3" in received[0]
    else:  # a DocBin: the bytes spaCy reads back
        from spacy.tokens import DocBin

        docs = DocBin().from_bytes(received[0])
        assert len(docs) == 1


def _null_device(tmp_path: Path) -> Path:
    """A character device to export onto that no broken code can take from the system.

    As root (who could replace the real /dev/null: running this test against the old
    code once did), a private node of the same device in tmp_path; as anyone else,
    /dev/null itself, which they cannot replace.
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return node
    except PermissionError:
        assert os.geteuid() != 0, "root without CAP_MKNOD: refusing to risk /dev/null"
        return Path("/dev/null")


def test_export_to_a_null_device_keeps_the_device(cli, db, tmp_path):
    device = _null_device(tmp_path)
    r = cli("export", "-o", device, db=db)
    assert r.code == 0, r.err
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_write_output_refuses_a_socket_and_replaces_a_regular_file(tmp_path):
    import socket

    from annotations.errors import UserError

    regular = tmp_path / "out.yaml"
    regular.write_text("old")
    write_output(regular, b"new")
    assert regular.read_bytes() == b"new"
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(UserError, match="not a regular file"):
            write_output(path, b"x")
        assert stat.S_ISSOCK(path.lstat().st_mode)
