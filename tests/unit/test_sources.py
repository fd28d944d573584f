from __future__ import annotations

import json

from annotations.sources import SourceDocument, SourceProblem, read_sources


def _read(*paths):
    items = list(read_sources(paths))
    docs = [i for i in items if isinstance(i, SourceDocument)]
    problems = [i for i in items if isinstance(i, SourceProblem)]
    return docs, problems


def test_txt_with_bom_and_crlf_is_normalised(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffTariff Talks Resume\r\n\r\nParis said yes.\r\nBerlin said no.\r\n"
                     .encode("utf-8"))
    [doc], problems = _read(path)
    assert problems == []
    assert doc.text == "Tariff Talks Resume\n\nParis said yes.\nBerlin said no.\n"
    assert doc.title == "Tariff Talks Resume"


def test_title_falls_back_to_the_first_sentence(tmp_path):
    # Issue 9: the file name ("India us defence") said little; it stays the source.
    path = tmp_path / "india-us_defence.txt"
    path.write_text("India and the US signed a pact.\n", "utf-8")
    [doc], _ = _read(path)
    assert doc.title == "India and the US signed a pact."
    assert doc.source == "india-us_defence.txt"


def test_markdown_heading_becomes_title(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Summit in Rome: day one\n\nLeaders met in Rome.\n", "utf-8")
    [doc], _ = _read(path)
    assert doc.title == "Summit in Rome: day one"


def test_jsonl_bad_lines_are_reported_with_line_numbers(tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "Paris hosted talks.", "url": "https://x.test/1"}),
        "{not json",
        json.dumps({"id": "a2"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"id": 7, "text": "Rome hosted talks.", "title": "Rome", "published": "2026"}),
        json.dumps({"id": "a3", "text": "x", "title": 5}),
    ]
    path.write_text("\n".join(lines), "utf-8")
    docs, problems = _read(path)
    assert [d.given_id for d in docs] == ["a1", "7"]
    assert docs[0].source == "https://x.test/1"
    assert docs[1].title == "Rome" and docs[1].published == "2026"
    assert [str(p).split(": ")[1] for p in problems] == ["line 2", "line 3", "line 5", "line 7"]
    assert "invalid JSON" in str(problems[0])


def test_folder_is_read_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zagreb talks resumed.", "utf-8")
    (tmp_path / "a.md").write_text("Athens talks resumed.", "utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "Cairo talks resumed."}), "utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("Hidden.", "utf-8")
    docs, problems = _read(tmp_path)
    # a.md, b/z.txt, c.jsonl: sorted by path, hidden and unsupported files left out
    assert [d.text for d in docs] == ["Athens talks resumed.", "Zagreb talks resumed.",
                                      "Cairo talks resumed."]
    assert problems == []


def test_latin1_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Le ministre français a signé l'accord à Genève.\n".encode("cp1252"))
    [doc], [warning] = _read(path)
    assert "français" in doc.text and "Genève" in doc.text
    assert not warning.skipped and "not UTF-8" in str(warning)


def test_binary_empty_and_blank_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\t\n", "utf-8")
    (tmp_path / "good.txt").write_text("Oslo hosted the talks.", "utf-8")
    docs, problems = _read(tmp_path)
    assert [d.text for d in docs] == ["Oslo hosted the talks."]
    reasons = {p.where.rsplit("/", 1)[-1]: p.problem for p in problems}
    assert reasons == {"bin.txt": "looks like a binary file, not text",
                       "empty.txt": "empty file", "blank.md": "only whitespace"}
    assert all(p.skipped for p in problems)


def test_missing_and_unsupported_paths(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK")
    docs, problems = _read(tmp_path / "nope.txt", tmp_path / "x.docx")
    assert docs == []
    assert "no such file" in str(problems[0])
    assert "unsupported file type '.docx'" in str(problems[1])
