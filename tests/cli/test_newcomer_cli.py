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


def test_version(cli):
    from importlib.metadata import version

    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"newstag {version('newstag')}"


def test_tag_from_errors_name_the_line(cli, db_copy, tmp_path):
    from tests.helpers import article_id_for

    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    ops = tmp_path / "ops.txt"
    for bad, needle in ((f"{aid} 6 nonsense", "unknown label 'nonsense'"),
                        (f"{aid} 5 trade", "sentence 5 is a heading"),
                        (f"{aid} 99 trade", "no sentence 99"),
                        ("zzzz 1 trade", "zzzz")):
        ops.write_text(f"# header\n{aid} 1 trade\n{bad}\n", "utf-8")
        result = cli("tag", "--from", ops, db=db_copy)
        assert result.code == 2 and result.out == ""
        [line] = result.err.splitlines()
        assert f"{ops}: line 3: " in line and needle in line, line


def test_show_columns_line_up_with_several_labels(cli, db_copy):
    from tests.helpers import article_id_for

    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    assert cli("tag", aid, "0", "trade", "defence", "diplomacy", db=db_copy).code == 0
    assert cli("tag", aid, "1", "--none", db=db_copy).code == 0
    lines = cli("show", aid, db=db_copy).out.splitlines()[1:]
    sentences = [line for line in lines if "[" in line]
    starts = {line.index("]") for line in sentences}
    assert len(starts) == 1, sentences[:3]
    assert sentences[0].split("]")[0].endswith("trade,defence,diplomacy")


def test_a_label_mark_must_be_one_visible_character(cli, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("labels:\n  - {name: trade, key: '1', mark: '  '}\n", "utf-8")
    result = cli("--config", config, "list", db=tmp_path / "db")
    assert result.code == 2
    [line] = result.err.splitlines()
    assert str(config) in line and "labels[0].mark" in line
    config.write_text("labels:\n  - {name: trade, key: '1', mark: X}\n"
                      "  - {name: tariff, key: '2', mark: X}\n", "utf-8")
    [line] = cli("--config", config, "list", db=tmp_path / "db").err.splitlines()
    assert "labels[1].mark" in line and "duplicate" in line
