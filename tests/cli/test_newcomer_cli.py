"""Issue 9 on the command line: titles, show columns, --version, tag --from line numbers."""

from __future__ import annotations

import json

from annotations.sources import read_sources
from tests.helpers import MAIN_ARTICLE


def test_an_article_without_a_heading_is_titled_by_its_first_sentence(tmp_path):
    plain = tmp_path / "000_c5766762e0ea9ac9.txt"
    plain.write_text("Ministers from Peru and Chile agreed on Friday to share port data for "
                     "the first time since the dispute began. Talks resume in May.\n", "utf-8")
    short = tmp_path / "india-us-defence-framework.txt"
    short.write_text("India and the United States renewed their defence framework. More "
                     "follows.\n", "utf-8")
    titled = tmp_path / "titled.txt"
    titled.write_text("Ports Agree on Data\n\nThe text of the deal follows here.\n", "utf-8")
    docs = {d.source: d for d in read_sources([plain, short, titled, MAIN_ARTICLE])}
    long_title = docs[plain.name].title
    assert long_title.startswith("Ministers from Peru and Chile agreed")
    assert long_title.endswith("…")
    assert len(long_title) <= 81 and "c5766762" not in long_title
    assert docs[short.name].title == ("India and the United States renewed their defence "
                                      "framework.")
    assert docs[titled.name].title == "Ports Agree on Data"
    assert docs[MAIN_ARTICLE.name].title.startswith("Japan and the Philippines signed")
    assert docs[plain.name].source == plain.name  # the file name stays the source


def test_imported_titles_reach_list(cli, tmp_path):
    plain = tmp_path / "000_c5766762e0ea9ac9.txt"
    plain.write_text("Officials in Lima confirmed the new export quota on Monday.\n", "utf-8")
    db = tmp_path / "db"
    assert cli("import", plain, db=db).code == 0
    rows = json.loads(cli("list", "--json", db=db).out)
    assert rows[0]["title"] == "Officials in Lima confirmed the new export quota on Monday."
    assert rows[0]["source"] == plain.name
