"""Reading a database file never follows a link, never blocks, never trusts a damaged count.

A database folder that was shared or downloaded can hold a FIFO, a device or a link
where a data file belongs. Reading one blocked every command (a FIFO) or filled the
memory (a link to /dev/zero). Every database file is now read through
``storage.read_db_bytes``; what cannot be used as a file is one line naming it, and
the counts (derived data) fall back to a recount instead. Real CLI runs on real
database folders, each with a timeout so that a hang fails the test instead of the suite.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from annotations import counts
from annotations.atomic_io import CorruptFile
from annotations.model import Article, Sentence
from annotations.store import Store

LINES = [
    "Ministers in Oslo agreed a tariff cut on salmon.",
    "The navy of Norway moved two frigates north.",
    "Envoys from Chile met in Lisbon to talk about copper.",
    "Nobody in the harbour noticed the fog.",
]
TAGGED = "wire-0001"  # its counts are in counts/23.json
assert counts.shard_name(TAGGED) == "23.json"
OTHER = "wire-0002"
TIMEOUT = 20
MEMORY = 3 << 30  # a read of /dev/zero fails here instead of filling the machine


def _article(article_id: str) -> Article:
    sentences, pos = [], 0
    for i, line in enumerate(LINES):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=article_id, text="\n".join(LINES), title=f"Title {article_id}",
                   source=f"{article_id}.txt", sentences=sentences)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(db: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    """The CLI (or a snippet of Python) in a subprocess; a hang fails the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
    env["NEWSTAG_DB"] = str(db)
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "tui.cli", *args]
    try:
        return subprocess.run(command, cwd=db.parent, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args) or code} hung for {TIMEOUT} s")


def one_line(result: subprocess.CompletedProcess, *names: str) -> str:
    """A refusal: exit 2, one line on stderr naming the file, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "\n" not in err and "Traceback" not in err, err
    for name in names:
        assert name in err, err
    return err


def truth(db: Path) -> dict[str, dict]:
    """Counted from the annotation files, not from the kept rows."""
    store = Store.open(db, create=False)
    return {s.id: counts.recount(store, s.id).to_row() | {"sig": None}
            for s in store.summaries()}


def listed(db: Path) -> dict[str, dict]:
    result = run(db, "list", "--json")
    assert result.returncode == 0, result.stderr
    keys = ("reviewed", "tagged", "orphaned", "labels")
    return {row["id"]: {k: row[k] for k in keys} for row in json.loads(result.stdout)}


def expected(db: Path) -> dict[str, dict]:
    return {i: {k: v for k, v in row.items() if k not in ("sig", "none_apply", "annotators")}
            for i, row in truth(db).items()}


def answers_correctly(db: Path) -> None:
    """list and stats both answer, with the counts a recount gives."""
    want = expected(db)
    assert listed(db) == want
    result = run(db, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["reviewed"] == sum(r["reviewed"] for r in want.values())
    assert stats["tagged"] == sum(r["tagged"] for r in want.values())


@pytest.fixture
def db(tmp_path) -> Path:
    root = tmp_path / "db"
    Store.open(root).save_articles([(_article(i), i) for i in (TAGGED, OTHER)])
    for args in ((TAGGED, "0", "trade"), (TAGGED, "1", "defence", "diplomacy"),
                 (OTHER, "2", "--none")):
        result = run(root, "tag", *args)
        assert result.returncode == 0, result.stderr
    return root


def fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def zero_link(path: Path) -> Path:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")
    return path


# -- the read function ------------------------------------------------------------------
def test_read_db_bytes_reads_only_regular_files(tmp_path):
    from annotations.atomic_io import read_db_bytes

    real = tmp_path / "real"
    real.mkdir()
    (real / "a.json").write_bytes(b"{}")
    root = tmp_path / "link-to-db"  # the root itself may be a link: the user's --db
    root.symlink_to(real)
    assert read_db_bytes(root / "a.json") == b"{}"
    assert read_db_bytes(root / "missing.json") is None
    problems = {"fifo": "is a FIFO", "link": "is a symbolic link", "folder": "is a folder",
                "device": "is a device"}
    fifo(real / "fifo")
    (real / "link").symlink_to(real / "a.json")
    (real / "folder").mkdir()
    os.mknod(real / "device", 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    for name, problem in problems.items():
        with pytest.raises(CorruptFile) as caught:
            read_db_bytes(root / name)
        message = str(caught.value)
        assert message.startswith(f"{root / name}: {problem}"), message
        assert "newstag doctor" in message and "\n" not in message


# -- hostile entries: no hang, the right answer or one line ------------------------------
@pytest.mark.parametrize("name", [".pending", "23.json", "meta.json"])
@pytest.mark.parametrize("make", [fifo, zero_link], ids=["fifo", "link-to-dev-zero"])
def test_a_hostile_counts_entry_does_not_stop_list_or_stats(db, name, make):
    make(db / "counts" / name)
    answers_correctly(db)
    result = run(db, "doctor")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{db / 'counts' / name}: is a" in result.stdout


@pytest.mark.parametrize("make", [fifo, zero_link], ids=["fifo", "link-to-dev-zero"])
def test_a_hostile_pending_marker_refuses_a_tag_in_one_line(db, make):
    before = (db / "annotations" / f"{TAGGED}.json").read_bytes()
    make(db / "counts" / ".pending")
    one_line(run(db, "tag", TAGGED, "2", "trade"), ".pending", "newstag doctor")
    assert (db / "annotations" / f"{TAGGED}.json").read_bytes() == before


def test_a_device_node_as_a_shard_is_recounted(db):
    path = db / "counts" / "23.json"
    path.unlink()
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # our own /dev/zero-like node
    answers_correctly(db)
    assert run(db, "tag", TAGGED, "2", "trade").returncode == 0
    answers_correctly(db)


@pytest.mark.parametrize("where", ["annotations", "articles"])
def test_a_fifo_as_an_article_file_is_one_line(db, where):
    path = fifo(db / where / f"{TAGGED}.json")
    one_line(run(db, "show", TAGGED), str(path), "is a FIFO")
    result = run(db, "doctor")
    assert f"{path}: is a FIFO" in result.stdout, result.stdout + result.stderr
    result = run(db, "doctor", "--repair")  # moved aside, never read; restored if it can be
    assert result.returncode in (0, 1) and not result.stderr, result.stdout + result.stderr
    assert f"{path}: is a FIFO" in result.stdout
    if where == "annotations":  # the version before the last tag holds it
        assert result.returncode == 0 and path.is_file()
        assert any(stat.S_ISFIFO(p.lstat().st_mode) for p in (db / "quarantine").iterdir())
        assert run(db, "show", TAGGED).returncode == 0


def test_a_fifo_as_the_index_is_one_line(db):
    path = fifo(db / "newstag.json")
    for command in ("list", "show", "stats", "tag"):
        args = (command, TAGGED, "2", "trade") if command == "tag" else \
            (command, TAGGED) if command == "show" else (command,)
        one_line(run(db, *args), str(path), "is a FIFO")


def test_a_fifo_as_reader_settings_gives_the_defaults(db):
    fifo(db / "reader-settings.json")
    result = run(db, code="import os; from pathlib import Path; "
                          "from tui.settings import load_export_choice; "
                          "print(load_export_choice(Path(os.environ['NEWSTAG_DB'])))")
    assert result.returncode == 0, result.stderr
    assert "ExportChoice(format='yaml', folder='')" in result.stdout


# -- a counts failure after the tag is written is not a failed tag -----------------------
def test_a_linked_shard_does_not_fail_a_saved_tag_and_doctor_repairs_it(db, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text('{"mine": true}')
    shard = db / "counts" / "23.json"
    shard.unlink()
    shard.symlink_to(outside)

    result = run(db, "tag", TAGGED, "2", "defence")
    assert result.returncode == 0, result.stderr  # the tag is saved: it is not reported failed
    shown = run(db, "show", TAGGED, "--json")
    assert shown.returncode == 0 and '"defence"' in shown.stdout
    answers_correctly(db)
    assert listed(db)[TAGGED]["labels"] == {"trade": 1, "defence": 2, "diplomacy": 1}

    result = run(db, "doctor")
    assert result.returncode == 1
    assert f"{shard}: is a symbolic link" in result.stdout
    result = run(db, "doctor", "--repair")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outside.read_text() == '{"mine": true}'  # never written through
    assert not shard.is_symlink() and shard.is_file()
    assert any(p.is_symlink() for p in (db / "quarantine").iterdir())
    assert not (db / "counts" / ".pending").exists()
    assert "healthy" in run(db, "doctor").stdout
    answers_correctly(db)


# -- damaged rows -----------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value", "problem"), [
    ("reviewed", "x", "reviewed"),
    ("labels", {"trade": "x"}, "labels"),
    ("reviewed", 1e308, "reviewed"),
    ("reviewed", -1, "reviewed"),
    ("reviewed", 99, "more than"),
    ("labels", {"trade": 50}, "more than"),
    ("labels", ["trade"], "labels"),
    ("sig", "abc", "sig"),
    ("sig", [1, 2], "sig"),
], ids=["str", "label-str", "float", "negative", "too-many", "label-too-many", "labels-list",
        "sig-str", "sig-short"])
def test_a_damaged_counts_row_is_recounted_never_shown(db, field, value, problem):
    path = db / "counts" / "23.json"
    tables = json.loads(path.read_text())
    tables["rows"][TAGGED][field] = value
    path.write_text(json.dumps(tables))
    answers_correctly(db)
    stats = run(db, "stats")
    assert stats.returncode == 0 and "Traceback" not in stats.stderr

    path.write_text(json.dumps(tables))  # damaged again (list recounted and rewrote it)
    result = run(db, "doctor")
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if str(path) in line)
    assert TAGGED in line and problem in line, line  # what is wrong, not only that it is
    result = run(db, "doctor", "--repair")
    assert result.returncode == 0, result.stdout + result.stderr
    row = json.loads(path.read_text())["rows"][TAGGED]
    assert row | {"sig": None} == truth(db)[TAGGED]
    assert "healthy" in run(db, "doctor").stdout


# -- unusable counts entries: doctor reports and repairs them ------------------------------
def _shard_folder(db: Path) -> Path:
    path = db / "counts" / "23.json"
    path.unlink()
    path.mkdir()
    return path


def _counts_file(db: Path) -> Path:
    path = db / "counts"
    for entry in path.iterdir():
        entry.unlink()
    path.rmdir()
    path.write_text("not a folder")
    return path


def _pending_folder(db: Path) -> Path:
    path = db / "counts" / ".pending"
    path.mkdir()
    return path


def _pending_link(db: Path) -> Path:
    path = db / "counts" / ".pending"
    path.symlink_to(db.parent / "elsewhere")
    return path


@pytest.mark.parametrize("damage", [_shard_folder, _counts_file, _pending_folder,
                                    _pending_link, lambda db: fifo(db / "counts" / "23.json")],
                         ids=["shard-folder", "counts-file", "pending-folder", "pending-link",
                              "shard-fifo"])
def test_doctor_reports_and_repairs_an_unusable_counts_entry(db, damage):
    path = damage(db)
    answers_correctly(db)
    result = run(db, "doctor")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{path}: is a" in result.stdout, result.stdout
    result = run(db, "doctor", "--repair")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "quarantine" in result.stdout
    assert (db / "counts").is_dir() and not (db / "counts" / ".pending").exists()
    assert "healthy" in run(db, "doctor").stdout
    answers_correctly(db)
    result = run(db, "tag", TAGGED, "3", "trade")
    assert result.returncode == 0, result.stderr
    answers_correctly(db)
