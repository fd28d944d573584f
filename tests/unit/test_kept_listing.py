"""Kept listings (annotations/kept_listing.py): `list` and `stats` piped and their `--json`
print every row from a kept rendering, re-rendered where a counts shard changed.

What must hold: the output is byte for byte what a listing made afresh prints, after
tags, clears, imports and a writer killed mid-way; a listing after a tag reads only the
changed shard; a damaged, linked or forged kept file is never followed, never trusted
past the sanitising path, and doctor finds and removes one that lies.
"""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest

from annotations import counts
from annotations.config import load_config
from annotations.counts_files import CountsFiles, shard_name
from annotations.kept_listing import kept_listing, read_kept
from annotations.listing_pieces import KINDS, LIST_JSON, LIST_LINES, STATS_JSON, STATS_LINES
from annotations.model import Article, Sentence
from annotations.stats import article_rows
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes
from tests.cli.test_list_stats_output import TITLES, _as_before, _printed_before, _store
from tests.helpers import REPO, clock_step, put_tag, summed_stats
from tui.cli import main
from tui.list_output import printable_lines

CONFIG = REPO / "config.yaml"


def _run(capsys, store: Store, *args: str) -> str:
    capsys.readouterr()
    assert main(["--db", str(store.root), "--config", str(CONFIG), *args]) == 0
    return capsys.readouterr().out


def _reference(store: Store) -> dict[tuple[str, ...], str]:
    """What each listing printed before it was kept: made from every row, the old way."""
    listed, stats_lines = _printed_before(store)
    return {("list",): listed, ("list", "--json"): _as_before(article_rows(store)),
            ("stats",): stats_lines,
            ("stats", "--json"): _as_before(summed_stats(store, load_config(str(CONFIG))))}


def _check_every_listing(capsys, store: Store) -> None:
    """Each listing twice (the first may re-render and keep, the second reads the kept
    one as it is): both are what a fresh listing prints; `stats`, whose article lines
    sit between totals, whole as it prints with no kept listing, and its lines as they
    were printed before."""
    for args, wanted in _reference(store).items():
        for _ in range(2):
            out = _run(capsys, store, *args)
            assert _printed(store, out, args) == wanted, args
            if args == ("stats",):
                assert out == _without_kept_listing(capsys, store, args)


def _without_kept_listing(capsys, store: Store, args: tuple[str, ...]) -> str:
    """What ``args`` prints made afresh: the kept listings moved aside meanwhile (and
    back, so that the next listing reads them as they were)."""
    counts_dir = store.root / "counts"
    aside = store.root.parent / "aside"
    aside.mkdir(exist_ok=True)
    kept = [p for p in counts_dir.iterdir() if p.name.startswith("listing-")]
    for path in kept:
        path.rename(aside / path.name)
    try:
        return _run(capsys, store, *args)
    finally:
        for path in counts_dir.iterdir():
            if path.name.startswith("listing-"):
                path.unlink()
        for path in kept:
            (aside / path.name).rename(path)


def _printed(store: Store, out: str, args: tuple[str, ...]) -> str:
    """What a listing printed of its rows: all of it, but for `stats` (totals around
    them) its lines that start with an article's id."""
    if args != ("stats",):
        return out
    ids = {s.id for s in store.summaries()}
    return "".join(line + "\n" for line in out.splitlines() if line[2:].split(" ")[0] in ids)


def _more_articles(store: Store, names: list[str]) -> None:
    articles = []
    for name in names:
        text = f"First line of {name} from Quito.\nSecond line of {name}."
        cut = text.index("\n")
        articles.append(Article(id=name, text=text, title=f"Late \x1b[31m{name}",
                                source="wire", published="",
                                sentences=[Sentence(0, 0, cut), Sentence(1, cut + 1, len(text))]))
    store.save_articles([(a, a.id) for a in articles])


@pytest.mark.parametrize("settle", [True, False], ids=["a clock step after each write",
                                                     "each listing at once"])
@pytest.mark.parametrize("fold", [False, True], ids=["changes kept apart",
                                                     "changes folded at once"])
def test_every_listing_prints_what_a_fresh_one_prints_through_tags_clears_and_imports(
        tmp_path, capsys, monkeypatch, settle, fold):
    """At once, what was just written is not trusted by its stamp and is read again;
    a clock step later, only what changed since is (annotations/file_stamps.py). The
    rows changed are kept apart from the whole listing, or folded into it at once."""
    import annotations.kept_listing as kept_module

    if fold:
        monkeypatch.setattr(kept_module, "CHANGES_AT_MOST", 0)
    step = clock_step if settle else (lambda: None)
    store = _store(tmp_path)
    step()
    _check_every_listing(capsys, store)
    kept_files = {kind.kind for kind in KINDS}
    assert kept_files <= {p.name for p in (store.root / "counts").iterdir()}
    assert all(read_kept(CountsFiles(store.root), kind) is not None for kind in KINDS)

    put_tag(store, "a2", 1, ["defence"])  # a2 was unreviewed: a stats line appears
    step()
    _check_every_listing(capsys, store)
    put_tag(store, "a0", 0, ["trade", "defence", "lab9"])  # a new label in a row's dict
    step()
    _check_every_listing(capsys, store)
    apply_changes(store, load_config(str(CONFIG)),  # cleared: its stats line goes
                  [TagChange("a2", 1, clear=True)])
    step()
    _check_every_listing(capsys, store)
    put_tag(store, "a2", 0, ["trade"])  # printed again: its line comes back
    step()
    _check_every_listing(capsys, store)
    _more_articles(store, ["late1", "late2"])  # a new index: everything made afresh
    step()
    _check_every_listing(capsys, store)
    put_tag(store, "late2", 0, ["diplomacy"])
    step()
    _check_every_listing(capsys, store)
    assert "\x1b" not in _run(capsys, store, "list")


def test_a_listing_after_a_tag_reads_only_the_changed_shard(tmp_path, capsys, monkeypatch):
    store = _store(tmp_path)
    clock_step()
    _run(capsys, store, "list")  # kept
    put_tag(store, "a1", 1, ["diplomacy"])
    clock_step()
    expected = _reference(store)[("list",)]

    import annotations.kept_listing as kept_module

    def no_full_read(*_args, **_kwargs):
        raise AssertionError("the whole index and every shard were read")

    read = []
    real_read = CountsFiles.read_all_listed

    def spy(self, only=None):
        read.append(None if only is None else set(only))
        return real_read(self, only)

    monkeypatch.setattr(kept_module, "listing", no_full_read)
    monkeypatch.setattr(CountsFiles, "read_all_listed", spy)
    assert _run(capsys, store, "list") == expected
    assert read == [{shard_name("a1")}]
    read.clear()
    assert _run(capsys, store, "list") == expected  # nothing changed since: nothing read
    assert read == []

    _more_articles(store, ["late"])  # the index changed: the full read, and no other
    clock_step()
    monkeypatch.undo()
    calls = []
    real_listing = kept_module.listing
    monkeypatch.setattr(kept_module, "listing",
                        lambda *a, **k: calls.append(1) or real_listing(*a, **k))
    assert _run(capsys, store, "list") == _reference(store)[("list",)]
    assert calls == [1]


def test_a_writer_killed_between_its_two_writes_is_healed_before_a_kept_listing_is_used(
        tmp_path, cli):
    """A real SIGKILL between the annotation write and the counts write leaves the
    shard behind and the pending marker: the kept listing, made before, must not be
    used with the stale shard's row (it is not: the full read heals first)."""
    store = _store(tmp_path)
    for args in (["list"], ["list", "--json"], ["stats"], ["stats", "--json"]):
        assert cli(*args, db=store.root).code == 0  # every listing kept
    result = cli("tag", "a2", "1", "defence", db=store.root,
                 env={counts.CRASH_ENV: "between-annotation-and-counts"})
    assert result.code == -signal.SIGKILL
    assert (store.root / "counts" / ".pending").exists()
    listed = cli("list", "--json", db=store.root)
    assert listed.code == 0, listed.err
    assert {r["id"]: r["reviewed"] for r in json.loads(listed.out)}["a2"] == 1
    fresh = Store.open(store.root, create=False)
    assert not (store.root / "counts" / ".pending").exists()
    expected = _reference(fresh)
    for args, wanted in expected.items():
        assert _printed(fresh, cli(*args, db=store.root).out, args) == wanted, args


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other format", "rows cut short",
                                    "link", "fifo"])
def test_a_damaged_or_linked_kept_listing_is_neither_used_nor_followed(tmp_path, capsys,
                                                                       damage):
    store = _store(tmp_path)
    _run(capsys, store, "list")
    path = store.root / "counts" / LIST_LINES.kind
    outside = tmp_path / "outside.txt"
    outside.write_text("not newstag's", "utf-8")
    good = path.read_bytes()
    path.unlink()
    if damage == "garbage":
        path.write_bytes(b"\x93\x00garbage" * 50)
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "other format":
        from annotations.kept_listing import FORMAT

        path.write_bytes(good.replace(b"\xa6format" + bytes([FORMAT]), b"\xa6format\x7f"))
        assert path.read_bytes() != good
    elif damage == "rows cut short":  # decodes, but its rows are not its lengths
        import msgspec

        data = msgspec.msgpack.decode(good)
        data["listing"]["1"]["rows"]["body"] = data["listing"]["1"]["rows"]["body"][:-20]
        path.write_bytes(msgspec.msgpack.encode(data))
    elif damage == "link":
        path.symlink_to(outside)
    else:
        os.mkfifo(path)  # a read would block for ever
    assert _run(capsys, store, "list") == _reference(store)[("list",)]
    assert outside.read_text("utf-8") == "not newstag's"
    if damage in ("link", "fifo"):  # never written over: doctor's to move aside
        assert path.is_symlink() if damage == "link" else not path.is_file()
    else:
        assert read_kept(CountsFiles(store.root), LIST_LINES) is not None  # kept again


def test_a_forged_kept_listing_reaches_the_terminal_only_sanitised_and_doctor_removes_it(
        tmp_path, capsys, cli):
    """The kept file is in the database folder: whoever can write it could make it say
    anything, as they could the index. Its text still goes through the one sanitising
    path, and doctor finds a current kept listing that disagrees with a fresh one."""
    import msgspec

    store = _store(tmp_path)
    clock_step()
    _run(capsys, store, "list")
    files = CountsFiles(store.root)
    kept = read_kept(files, LIST_LINES)
    assert kept is not None
    forged = b"\x1b[2J\x1b]0;owned\x07"
    kept.rows.body = forged + kept.rows.body[len(forged):]
    files.write_bytes(LIST_LINES.kind, msgspec.msgpack.encode({"listing": {"1": kept}}))
    out = _run(capsys, store, "list")
    assert "\x1b" not in out and "\x07" not in out and "\u241b[2J" in out

    doctor = cli("doctor", db=store.root)
    assert doctor.code == 1, doctor.out + doctor.err
    assert f"counts/{LIST_LINES.kind}" in doctor.out
    assert "disagrees with the index and the kept counts" in doctor.out
    assert cli("doctor", "--repair", db=store.root).code == 0
    assert not (store.root / "counts" / LIST_LINES.kind).exists()
    assert cli("doctor", db=store.root).code == 0
    assert _run(capsys, store, "list") == _reference(store)[("list",)]


def test_doctor_moves_aside_a_kept_listing_that_is_not_a_file(tmp_path, capsys, cli):
    store = _store(tmp_path)
    path = store.root / "counts" / STATS_JSON.kind
    os.mkfifo(path)
    doctor = cli("doctor", db=store.root)
    assert doctor.code == 1 and str(path) in doctor.out and "FIFO" in doctor.out
    assert cli("doctor", "--repair", db=store.root).code == 0
    assert not path.exists() and cli("doctor", db=store.root).code == 0
    assert _run(capsys, store, "stats", "--json") == _reference(store)[("stats", "--json")]


def test_a_read_only_counts_folder_still_lists(tmp_path, capsys, monkeypatch):
    """A database that cannot be written (a read-only mount: the tests run as root, so
    the write failing is the one fake here) lists as before and keeps nothing."""
    store = _store(tmp_path)

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(CountsFiles, "write_bytes", read_only)
    for args, wanted in _reference(store).items():
        assert _printed(store, _run(capsys, store, *args), args) == wanted, args
    assert not any(p.name.startswith("listing-") for p in (store.root / "counts").iterdir())


def test_kept_pieces_equal_a_fresh_rendering_row_by_row(tmp_path):
    """Each kind's dynamic part rendered alone is exactly the one cut from the whole
    document (the JSON kinds format the whole list at once and cut it into rows)."""
    store = _store(tmp_path)
    put_tag(store, "a0", 1, ["trade", "lab1", "z-last"])
    summaries = store.summaries()
    listed = store.listed_counts()
    for kind in (LIST_LINES, STATS_LINES, LIST_JSON, STATS_JSON):
        made = kept_listing(store, kind)
        assert made is not None and made.rows.ids == [s.id for s in summaries]
        for at, s in enumerate(summaries):
            alone = kind.dynamic(listed[s.id], s.sentences) or ""
            assert made.rows.dynamic_of(at) == alone, (kind.kind, s.id)
        # Many at once (formatted as one list and cut) are each the one made alone.
        every = kind.dynamics([listed[s.id] for s in summaries], [s.sentences for s in summaries])
        assert every == [kind.dynamic(listed[s.id], s.sentences) for s in summaries]
    assert len(summaries) == len(TITLES)


def test_a_copied_database_does_not_use_the_kept_listing_of_its_original(tmp_path, capsys):
    """A copy has new inodes: its index and shards differ from the stamps kept."""
    store = _store(tmp_path / "a")
    _run(capsys, store, "list")
    shutil.copytree(store.root, tmp_path / "b")
    copy = Store.open(tmp_path / "b", create=False)
    put_tag(copy, "a5", 1, ["defence"])
    assert _run(capsys, copy, "list") == _reference(copy)[("list",)]
    assert _run(capsys, store, "list") == _reference(store)[("list",)]


def test_after_a_tag_only_the_changed_rows_are_written_until_they_are_many(
        tmp_path, capsys, monkeypatch):
    """The whole listing is not written again for one tag: its changed rows go to a
    file of changes beside it; past the limit the whole listing is written again and
    the changes removed. Either way the output is what a fresh listing prints."""
    import annotations.kept_listing as kept_module

    store = _store(tmp_path)
    clock_step()
    _run(capsys, store, "stats", "--json")
    whole = store.root / "counts" / STATS_JSON.kind
    changes = store.root / "counts" / (STATS_JSON.kind + kept_module.CHANGES)
    first = whole.stat()
    put_tag(store, "a2", 1, ["defence"])
    clock_step()
    assert _run(capsys, store, "stats", "--json") == _reference(store)[("stats", "--json")]
    assert whole.stat().st_ino == first.st_ino and changes.is_file()
    put_tag(store, "a4", 0, ["diplomacy"])  # changes on changes
    clock_step()
    assert _run(capsys, store, "stats", "--json") == _reference(store)[("stats", "--json")]
    assert whole.stat().st_ino == first.st_ino

    monkeypatch.setattr(kept_module, "CHANGES_AT_MOST", 1)
    put_tag(store, "a5", 0, ["trade"])
    clock_step()
    assert _run(capsys, store, "stats", "--json") == _reference(store)[("stats", "--json")]
    assert whole.stat().st_ino != first.st_ino and not changes.exists()


def test_changes_made_for_another_kept_listing_are_not_applied(tmp_path, capsys):
    import msgspec

    import annotations.kept_listing as kept_module

    store = _store(tmp_path)
    clock_step()
    _run(capsys, store, "list")
    put_tag(store, "a2", 1, ["defence"])
    clock_step()
    _run(capsys, store, "list")
    changes = store.root / "counts" / (LIST_LINES.kind + kept_module.CHANGES)
    old = msgspec.msgpack.decode(changes.read_bytes())
    old["changes"]["1"]["rows"] = ["WRONG" for _ in old["changes"]["1"]["rows"]]
    (store.root / "counts" / LIST_LINES.kind).unlink()
    _run(capsys, store, "list")  # the whole listing made again: a new one
    changes.write_bytes(msgspec.msgpack.encode(old))  # the changes of the one before
    assert _run(capsys, store, "list") == _reference(store)[("list",)]


def _titled(store: Store, article_id: str, title: str) -> Store:
    """``store`` with the index row of ``article_id`` titled ``title`` (as JSON escapes it,
    so a lone surrogate can be written: an index edited by hand, or another tool's)."""
    tables = json.loads(store.index_path.read_bytes())
    row = next(r for r in tables["articles"].values() if r["id"] == article_id)
    row["title"] = title
    store.index_path.write_text(json.dumps(tables), "utf-8")
    return Store.open(store.root, create=False)


def test_a_title_with_a_lone_surrogate_lists_as_before_and_is_not_kept(tmp_path, capsys):
    """Past the kept first page (annotations/first_page.py), so that only the kept
    listing holds it: msgpack cannot encode it, and `list` and `stats` piped raised
    UnicodeEncodeError where a fresh listing prints the title made printable."""
    from annotations.first_page import PAGE

    store = _store(tmp_path)
    _more_articles(store, [f"late{n}" for n in range(PAGE)])
    put_tag(store, "late199", 0, ["trade"])  # a stats line for it too
    store = _titled(store, "late199", "Broken \ud800 title")
    assert store.summaries()[-1].title == "Broken \ud800 title"
    _check_every_listing(capsys, store)
    assert "Broken \ufffd title" in _run(capsys, store, "list")
    assert not any(p.name.startswith("listing-") for p in (store.root / "counts").iterdir())


def test_doctor_beside_counts_to_heal_writes_nothing_and_names_a_damaged_file(
        tmp_path, cli):
    """A writer killed between its two writes (a pending marker) and its annotation file
    damaged since: doctor reports that file and writes nothing. Its comparison of the
    current kept listing with a fresh one healed the counts first (the pending marker
    cleared, the shard rewritten) and, the recount raising on the damaged file, ended
    with exit 2 and "Run 'newstag doctor'"."""
    store = _store(tmp_path)
    assert cli("list", db=store.root).code == 0  # kept, and current after the kill
    result = cli("tag", "a2", "1", "defence", db=store.root,
                 env={counts.CRASH_ENV: "between-annotation-and-counts"})
    assert result.code == -signal.SIGKILL
    pending = store.root / "counts" / ".pending"
    shard = store.root / "counts" / shard_name("a2")
    before = shard.read_bytes()
    doctor = cli("doctor", db=store.root)
    assert doctor.code == 1, doctor.err
    assert f"counts/{LIST_LINES.kind}" not in doctor.out  # it is not used before a heal
    assert pending.exists() and shard.read_bytes() == before  # nothing written

    damaged = store._annotation_path("a2")
    damaged.write_text('{"sentences": {"2": ', "utf-8")
    doctor = cli("doctor", db=store.root)
    assert doctor.code == 1, doctor.err
    assert f"{damaged}: truncated JSON" in doctor.out
    assert pending.exists() and shard.read_bytes() == before


def test_doctor_after_a_reboot_leaves_the_counts_to_the_first_listing(tmp_path, cli):
    """A new boot id: the counts are verified by the next read, not by doctor's look at
    a kept listing (meta.json written and the rows recounted before any finding)."""
    store = _store(tmp_path)
    assert cli("stats", "--json", db=store.root).code == 0
    meta = store.root / "counts" / "meta.json"
    tables = json.loads(meta.read_bytes())
    tables["meta"]["1"]["boot"] = "another boot"
    meta.write_text(json.dumps(tables), "utf-8")
    before = meta.read_bytes()
    doctor = cli("doctor", db=store.root)
    assert doctor.code == 0, doctor.out + doctor.err
    assert meta.read_bytes() == before


def test_counts_healed_by_another_process_after_the_stamp_are_not_shown_stale(
        tmp_path, cli, monkeypatch):
    """A writer killed between its two writes left the pending marker and its shard
    behind; another process heals them just after this listing took its stamps. The
    counts were found settled (healed) but the stamps are those of before the heal:
    they matched the listing kept before the kill, which printed the row the heal had
    just corrected (a listing made afresh never shows a row before its heal). The
    counts must be found settled before the stamps are taken."""
    import annotations.kept_listing as kept_module

    store = _store(tmp_path)
    assert cli("list", db=store.root).code == 0  # kept before the kill
    result = cli("tag", "a2", "1", "defence", db=store.root,
                 env={counts.CRASH_ENV: "between-annotation-and-counts"})
    assert result.code == -signal.SIGKILL
    real_stamp = kept_module.stamp
    healed = []

    def stamp_then_another_process_heals(of: Store):
        taken = real_stamp(of)
        if not healed:
            healed.append(counts.heal(Store.open(store.root, create=False)))
        return taken

    monkeypatch.setattr(kept_module, "stamp", stamp_then_another_process_heals)
    listed = kept_listing(Store.open(store.root, create=False), LIST_LINES)
    assert healed == [["a2"]]
    assert listed is not None
    assert printable_lines([LIST_LINES.header, *listed.rows.lines()]) == \
        _reference(Store.open(store.root, create=False))[("list",)]


def test_a_kept_file_far_bigger_than_the_index_is_not_read(tmp_path, capsys, monkeypatch):
    """A kept listing is about 1.5 times the index at most: one of 3 GB was read whole
    (16 s, 3 GB of memory). One far bigger is not read, and is made afresh."""
    import annotations.kept_listing as kept_module

    store = _store(tmp_path)
    _run(capsys, store, "list")  # kept, and the counts verified: the kept path is taken
    path = store.root / "counts" / LIST_LINES.kind
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used
    read = []
    real = kept_module.read_db_bytes
    monkeypatch.setattr(kept_module, "read_db_bytes",
                        lambda p: read.append(p.name) or real(p))
    assert _run(capsys, store, "list") == _reference(store)[("list",)]
    assert LIST_LINES.kind not in read
    assert path.stat().st_size < 1024 * 1024  # made afresh in its place


def test_a_fifo_in_place_of_a_file_of_changes_is_left_for_doctor(tmp_path, capsys, cli):
    from annotations.kept_listing import CHANGES

    store = _store(tmp_path)
    changes = store.root / "counts" / (LIST_LINES.kind + CHANGES)
    os.mkfifo(changes)
    assert _run(capsys, store, "list") == _reference(store)[("list",)]
    assert changes.is_fifo()  # not removed with the listing made afresh, nor read
    doctor = cli("doctor", db=store.root)
    assert doctor.code == 1 and str(changes) in doctor.out and "FIFO" in doctor.out


def test_a_forged_kept_json_listing_reaches_the_terminal_only_escaped(tmp_path, capsys):
    """Kept JSON is written as the bytes it holds only when they are plain ASCII; raw
    controls a file slipped in (C0 too, which json would have escaped) are escaped."""
    import msgspec

    store = _store(tmp_path)
    clock_step()
    _run(capsys, store, "list", "--json")
    files = CountsFiles(store.root)
    kept = read_kept(files, LIST_JSON)
    assert kept is not None
    forged = b"\x1b[2J\x07\xc2\x9b"
    kept.rows.body = forged + kept.rows.body[len(forged):]
    files.write_bytes(LIST_JSON.kind, msgspec.msgpack.encode({"listing": {"1": kept}}))
    out = _run(capsys, store, "list", "--json")
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.startswith("[\n\\u001b[2J\\u0007\\u009b")
