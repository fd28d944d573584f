"""An article's identity across imports: nothing is overwritten by a shifted line, a
borrowed id or an old text (found by an adversarial review of the import)."""

from __future__ import annotations

import json
from pathlib import Path

A = "Lisbon opened a new container terminal on Monday. Exports of cork rose sharply."
B = "Warsaw ordered twelve patrol boats for its navy. Deliveries begin next spring."
N = "Nairobi hosted regional envoys for two days of talks. A joint statement followed."


def _jsonl(path: Path, *texts: str, ids: tuple[str, ...] = ()) -> Path:
    rows = [{"text": t, "title": t.split(".")[0]} | ({"id": ids[i]} if ids else {})
            for i, t in enumerate(texts)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def _articles(cli, db: Path) -> dict[str, str]:
    """id -> text of every article."""
    rows = json.loads(cli("list", "--json", db=db).out)
    return {r["id"]: "".join(s["text"] + " " for s in json.loads(
        cli("show", r["id"], "--json", db=db).out)["sentences"]).strip() for r in rows}


def _sentences(cli, db: Path, article: str) -> list[dict]:
    return json.loads(cli("show", article, "--json", db=db).out)["sentences"]


def test_a_line_added_to_a_jsonl_without_ids_moves_no_article_and_no_tag(cli, tmp_path):
    db = tmp_path / "db"
    feed = _jsonl(tmp_path / "feed.jsonl", A, B)
    assert cli("import", feed, db=db).code == 0
    texts = _articles(cli, db)
    b_id = next(i for i, t in texts.items() if t.startswith("Warsaw"))
    assert cli("tag", b_id, "0", "defence", "--note", "important", db=db).code == 0
    _jsonl(feed, N, A, B)  # a new article on the first line shifts every line number
    r = cli("import", feed, db=db)
    assert r.code == 0, r.err
    after = _articles(cli, db)
    assert len(after) == 3 and after[b_id] == texts[b_id]  # B kept its id and its text
    assert {t for t in after.values()} == {A, B, N}
    first = _sentences(cli, db, b_id)[0]
    assert first["labels"] == ["defence"] and first["note"] == "important"


def test_an_id_borrowed_from_a_text_files_article_takes_nothing_over(cli, tmp_path):
    db = tmp_path / "db"
    story = tmp_path / "lisbon.txt"
    story.write_text(A + "\n", "utf-8")
    assert cli("import", story, db=db).code == 0
    (article,) = _articles(cli, db)
    assert cli("tag", article, "0", "trade", db=db).code == 0
    feed = _jsonl(tmp_path / "feed.jsonl", B, ids=(article,))
    r = cli("import", feed, db=db)
    assert "already the id of the article imported from" in r.err
    assert _articles(cli, db) == {article: A}
    assert _sentences(cli, db, article)[0]["labels"] == ["trade"]


def test_the_old_text_of_an_edited_article_is_a_new_article_not_an_overwrite(cli, tmp_path):
    """An edited file keeps its article id (the hash of its first text); that first text
    arriving again from another file used to overwrite the edited article."""
    db = tmp_path / "db"
    story = tmp_path / "story.txt"
    story.write_text(A + "\n", "utf-8")
    assert cli("import", story, db=db).code == 0
    (article,) = _articles(cli, db)
    story.write_text(A + "\n" + B + "\n", "utf-8")
    assert cli("import", story, db=db).code == 0
    assert cli("tag", article, "2", "defence", "--note", "edited", db=db).code == 0
    copy = tmp_path / "copy.txt"
    copy.write_text(A + "\n", "utf-8")
    assert cli("import", copy, db=db).code == 0
    texts = _articles(cli, db)
    assert texts[article] == A + " " + B and len(texts) == 2
    tagged = _sentences(cli, db, article)[2]
    assert tagged["labels"] == ["defence"] and tagged["note"] == "edited"
    assert cli("import", copy, db=db).out.count("unchanged") == 1  # and stays one article
    assert len(_articles(cli, db)) == 2
