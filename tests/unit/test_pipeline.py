"""One export pipeline: a registry of formats, one selection pass, the same bytes as before.

The golden files under tests/data/exports were written by the exporters as they were
before the pipeline was merged (separate YAML and row selections); every export must
still produce them byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations.model import Article, Entity, ReviewState, Sentence, SentenceAnnotation
from annotations.store import Store

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "exports"
STAMP = "2026-03-01T10:00:00Z"
TEXT = ("Harbour Talks Resume\n"
        "Officials from Norway and Chile met in Valparaiso to discuss fishing quotas.\n"
        "=A note for spreadsheets: the navy of Chile stayed in port.\n"
        "Nobody mentioned the Andes.\n")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        if line:
            spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def build_db(root: Path) -> Store:
    """A small database written through the Store, no spaCy: fixed ids, times and entities."""
    store = Store.open(root)
    spans = _sentence_spans(TEXT)
    sentences = [Sentence(i, s, e, heading=i == 0) for i, (s, e) in enumerate(spans)]
    entities = [Entity(TEXT.index(w), TEXT.index(w) + len(w), label)
                for w, label in (("Norway", "GPE"), ("Valparaiso", "GPE"), ("navy of Chile",
                                                                            "ORG"))]
    article = Article(id="harbour", text=TEXT, title="Harbour Talks Resume", source="wire",
                      sentences=sentences, entities=entities)
    other = Article(id="quiet", text="Nothing happened in Oslo today.\n", title="Quiet",
                    sentences=[Sentence(0, 0, 31)], entities=[Entity(20, 24, "GPE")])
    store.save_articles([(article, "c1"), (other, "c2")])

    def note(index: int, labels: list[str], state: ReviewState, text: str = "") -> \
            SentenceAnnotation:
        s = sentences[index]
        return SentenceAnnotation("harbour", index, TEXT[s.start:s.end], s.start, s.end,
                                  labels, state, text, "ana", STAMP, STAMP)

    store.put_annotations([
        note(1, ["trade", "diplomacy"], ReviewState.REVIEWED),
        note(2, ["defence"], ReviewState.REVIEWED, '=1+1 said "no"'),
        note(3, [], ReviewState.UNREVIEWED, "to check"),
    ])
    return store


CASES = [(fmt, mode) for fmt in ("yaml", "jsonl", "csv")
         for mode in ("reviewed", "annotated", "all")]


@pytest.mark.parametrize(("fmt", "mode"), CASES)
def test_exports_are_byte_identical_to_the_old_exporters(cli, tmp_path, fmt, mode):
    build_db(tmp_path / "db")
    out = tmp_path / f"out.{fmt}"
    r = cli("export", "-f", fmt, "--sentences", mode, "-o", out, db=tmp_path / "db")
    assert r.code == 0, r.err
    written = out.read_text("utf-8")
    if fmt == "yaml":
        written = re.sub(r"(?m)^exported_at: .*\n", "", written)
    assert written == (GOLDEN / f"{fmt}-{mode}.txt").read_text("utf-8")


def _readme_formats() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    table = readme.split("| `-f` | what | consumer |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z]+)`", table, re.MULTILINE)


def _choices(command: str) -> list[str]:
    import argparse

    from tui.cli import build_parser

    sub = next(a for a in build_parser()._actions
               if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in sub.choices[command]._actions if "-f" in a.option_strings)
    return list(option.choices)


def test_the_registry_lists_what_the_cli_and_the_readme_name():
    from annotations.interchange import EXPORT_NAMES, FORMATS, IMPORT_NAMES

    assert _choices("export") == EXPORT_NAMES == list(FORMATS)
    assert sorted(_readme_formats()) == sorted(FORMATS)
    assert _choices("import-annotations") == IMPORT_NAMES == ["yaml", "prodigy", "jsonl",
                                                              "doccano"]
    # Every format the README says newstag reads back has a reader, and only those.
    assert {n for n, f in FORMATS.items() if f.read} == {"yaml", "jsonl", "doccano"}
    assert [n for n, f in FORMATS.items() if f.binary] == ["spacy"]


def test_the_reader_dialog_offers_the_registry_formats():
    from annotations.interchange import FORMATS
    from tui.screens.export import FORMAT_NAMES
    from tui.settings import EXPORT_FORMATS

    assert set(FORMAT_NAMES) == set(FORMATS)
    assert {name: f.extension for name, f in FORMATS.items()} == EXPORT_FORMATS


def test_entity_offsets_are_made_relative_once(tmp_path, config):
    """YAML's entities and every other format's are the same sentence-relative spans."""
    from annotations.export import build_export
    from annotations.selection import ExportFilter, iter_rows

    store = build_db(tmp_path / "db")
    selection = ExportFilter(sentences="all")
    rows = list(iter_rows(store, selection))
    yaml_sentences = [s for a in build_export(store, config, selection)["articles"]
                      for s in a["sentences"]]
    assert [[(e["start"], e["end"], e["label"]) for e in s["entities"]]
            for s in yaml_sentences] == [[(e.start, e.end, e.label) for e in r.entities]
                                        for r in rows]
    assert rows[0].text[rows[0].entities[0].start:rows[0].entities[0].end] == "Norway"


def test_the_sentence_mode_is_given_once(tmp_path):
    from annotations.errors import UserError
    from annotations.selection import ExportFilter, iter_rows

    store = build_db(tmp_path / "db")
    assert [r.index for r in iter_rows(store, ExportFilter(sentences="reviewed"))] == [1, 2]
    assert [r.index for r in iter_rows(store, ExportFilter(sentences="annotated"))] == [1, 2, 3]
    assert [r.index for r in iter_rows(store, ExportFilter(sentences="all"))] == [1, 2, 3, 0]
    with pytest.raises(UserError, match="unknown sentence selection"):
        list(iter_rows(store, ExportFilter(sentences="some")))
