from __future__ import annotations

from annotations.ingest import import_paths
from annotations.model import ReviewState
from annotations.tagging import TagChange, apply_changes

TEXT = """Steel Talks Resume

Brussels extended steel quotas on Tuesday. Washington objected.
India called the move unjustified.
Germany asked Rheinmetall for a report.
"""


def _import(store, nlp, *paths):
    calls = []

    def load():
        calls.append(1)
        return nlp

    report = import_paths(store, paths, load)
    return report, calls


def _by_text(store, article_id):
    article = store.load_article(article_id)
    return {article.sentence_text(article.sentences[i]): a
            for i, a in store.annotations(article_id).items()}


def test_import_twice_adds_nothing_and_skips_spacy(store, nlp, tmp_path):
    path = tmp_path / "steel.txt"
    path.write_text(TEXT, "utf-8")
    first, _ = _import(store, nlp, path)
    assert len(first.added) == 1
    second, calls = _import(store, nlp, path)
    assert second.added == [] and second.unchanged == first.added
    assert calls == []  # nothing to process, spaCy never loaded
    copy = tmp_path / "copy.txt"
    copy.write_text(TEXT.replace("\n", "\r\n"), "utf-8")
    third, _ = _import(store, nlp, copy)
    assert third.added == [] and len(store.summaries()) == 1


def test_edited_article_keeps_annotations_by_text_and_reports_orphans(store, nlp, tmp_path,
                                                                      config):
    path = tmp_path / "steel.txt"
    path.write_text(TEXT, "utf-8")
    [article_id] = _import(store, nlp, path)[0].added
    article = store.load_article(article_id)
    texts = [article.sentence_text(s) for s in article.sentences]
    assert texts[0] == "Steel Talks Resume" and article.sentences[0].heading
    idx = {t: i for i, t in enumerate(texts)}
    apply_changes(store, config, [
        TagChange(article_id, idx["Washington objected."], labels=("diplomacy",)),
        TagChange(article_id, idx["India called the move unjustified."],
                  labels=("trade", "diplomacy")),
        TagChange(article_id, idx["Germany asked Rheinmetall for a report."], none=True),
    ])
    edited = TEXT.replace("India called the move unjustified.\n", "") \
        .replace("Steel Talks Resume\n", "Steel Talks Resume\n\nA new first line from Oslo.\n")
    path.write_text(edited, "utf-8")
    report, _ = _import(store, nlp, path)
    assert report.updated == [article_id] and report.added == []
    assert report.moved == 2
    assert [o.text for o in report.orphaned] == ["India called the move unjustified."]
    kept = _by_text(store, article_id)
    assert kept["Washington objected."].labels == ["diplomacy"]
    assert kept["Germany asked Rheinmetall for a report."].state is ReviewState.REVIEWED
    article = store.load_article(article_id)
    for index, annotation in store.annotations(article_id).items():
        sentence = article.sentences[index]
        assert (annotation.start, annotation.end) == (sentence.start, sentence.end)
    [orphan] = store.orphans(article_id)
    assert orphan.labels == ["trade", "diplomacy"] and orphan.sentence_index is None
    # Restoring the sentence brings the orphan back onto it.
    path.write_text(TEXT, "utf-8")
    _import(store, nlp, path)
    assert store.orphans(article_id) == []
    assert _by_text(store, article_id)["India called the move unjustified."].labels == [
        "trade", "diplomacy"]


def test_jsonl_id_is_the_identity(store, nlp, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "w1", "text": "Oslo hosted talks on salmon tariffs."}\n', "utf-8")
    _import(store, nlp, path)
    path.write_text('{"id": "w1", "text": "Oslo hosted long talks on salmon tariffs."}\n', "utf-8")
    report, _ = _import(store, nlp, path)
    assert report.updated == ["w1"]
    assert [s.id for s in store.summaries()] == ["w1"]


def test_bad_files_do_not_stop_good_ones(store, nlp, tmp_path):
    (tmp_path / "good.txt").write_text("Tokyo hosted the Quad.", "utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02")
    report, _ = _import(store, nlp, tmp_path)
    assert len(report.added) == 1
    assert [p.where.endswith("bad.txt") for p in report.problems] == [True]
