from __future__ import annotations

import yaml

from annotations.export import build_export, export_yaml
from annotations.ingest import import_paths
from annotations.interchange import import_file
from annotations.selection import ExportFilter
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes
from annotations.yamlio import dump_yaml

HARD = (
    "Ministers Meet in Zürich\n\n"
    "🇮🇳 India and 🇺🇸 the United States met in Zürich on Monday. Café owners in Genève "
    "complained to Emmanuel Macron about tariffs on cheese and on watches made in Switzerland.\n"
    "رئيس الوزراء met Benjamin Netanyahu in Jerusalem on Tuesday.\n"
    "A stray [/] and [@click=app.quit]x[/] appeared in a Reuters headline about Berlin.\n"
)


def _tagged_db(tmp_path, nlp, config, name="db"):
    store = Store.open(tmp_path / name)
    src = tmp_path / "hard.txt"
    src.write_text(HARD, "utf-8")
    [article_id] = import_paths(store, [src], lambda: nlp).added
    apply_changes(store, config, [
        TagChange(article_id, 1, labels=("trade", "diplomacy")),
        TagChange(article_id, 2, none=True),
        TagChange(article_id, 3, labels=("diplomacy",), note='He said "no" [sic] — twice\nok'),
        TagChange(article_id, 4, note="unreviewed but noted"),
    ])
    return store, article_id


def test_export_is_self_contained_and_readable(tmp_path, nlp, config):
    store, article_id = _tagged_db(tmp_path, nlp, config)
    text = export_yaml(store, config, ExportFilter())
    data = yaml.safe_load(text)
    assert list(data) == ["format", "version", "exported_at", "labels", "articles"]
    assert [x["name"] for x in data["labels"]] == ["trade", "defence", "diplomacy"]
    [article] = data["articles"]
    assert list(article) == ["id", "title", "source", "published", "sentences", "text"]
    first = article["sentences"][0]
    assert list(first) == ["index", "start", "end", "text", "labels", "state", "note",
                           "annotator", "created_at", "updated_at", "entities"]
    assert first["labels"] == ["trade", "diplomacy"]
    assert article["text"][first["start"]:first["end"]] == first["text"]
    for entity in first["entities"]:
        assert first["text"][entity["start"]:entity["end"]] == entity["text"]
    assert [s["state"] for s in article["sentences"]] == ["reviewed"] * 3 + ["unreviewed"]
    assert "🇮🇳" in text and "Zürich" in text and "رئيس" in text  # characters, not escapes
    assert "\\U0001F1EE" not in text
    assert "note: |-\n" in text  # multi-line note as a block scalar
    assert "labels: [trade, diplomacy]" in text


def test_round_trip_rebuilds_an_identical_database(tmp_path, nlp, config):
    store, _ = _tagged_db(tmp_path, nlp, config)
    first = export_yaml(store, config, ExportFilter())
    path = tmp_path / "export.yaml"
    path.write_text(first, "utf-8")
    fresh = Store.open(tmp_path / "fresh")
    report = import_file(fresh, path, "yaml", config.label_names, "", lambda: nlp)
    assert report.placed == 4 and report.orphaned == []
    second = export_yaml(fresh, config, ExportFilter())
    drop = lambda t: [line for line in t.splitlines() if not line.startswith("exported_at")]  # noqa: E731
    assert drop(first) == drop(second)


def test_import_into_existing_database_keeps_the_newer_change(tmp_path, nlp, config):
    store, article_id = _tagged_db(tmp_path, nlp, config)
    path = tmp_path / "export.yaml"
    path.write_text(export_yaml(store, config, ExportFilter(include_text=False)), "utf-8")
    apply_changes(store, config, [TagChange(article_id, 1, labels=("defence",))])
    report = import_file(store, path, "yaml", config.label_names, "", lambda: nlp)
    assert report.conflicts == 1
    assert store.annotations(article_id)[1].labels == ["defence"]


def test_unplaceable_annotations_are_kept_as_orphans(tmp_path, nlp, config):
    store, article_id = _tagged_db(tmp_path, nlp, config)
    data = build_export(store, config, ExportFilter(include_text=False))
    data["articles"][0]["sentences"][0]["text"] = "A sentence that is not in the article."
    data["articles"][0]["sentences"][0]["index"] = 99
    path = tmp_path / "edited.yaml"
    path.write_text(dump_yaml(data), "utf-8")
    other = Store.open(tmp_path / "other")
    src = tmp_path / "hard.txt"
    import_paths(other, [src], lambda: nlp)
    report = import_file(other, path, "yaml", config.label_names, "", lambda: nlp)
    assert [o.text for o in report.orphaned] == ["A sentence that is not in the article."]
    assert [o.labels for o in other.orphans(article_id)] == [["trade", "diplomacy"]]
    exported = build_export(other, config, ExportFilter())
    orphan = exported["articles"][0]["sentences"][-1]
    assert orphan["orphaned"] is True and orphan["index"] is None


def test_filters_by_label_and_article(tmp_path, nlp, config):
    store, article_id = _tagged_db(tmp_path, nlp, config)
    data = build_export(store, config, ExportFilter(labels=["trade"]))
    assert [s["index"] for s in data["articles"][0]["sentences"]] == [1]
    assert build_export(store, config, ExportFilter(labels=["defence"]))["articles"] == []
    data = build_export(store, config, ExportFilter(article_refs=[article_id[:6]]))
    assert [a["id"] for a in data["articles"]] == [article_id]
