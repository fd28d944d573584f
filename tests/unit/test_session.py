"""The reader's tagging session: undo and redo against the store on disk."""

from __future__ import annotations

from annotations.ingest import import_paths
from annotations.session import TaggingSession
from annotations.store import Store


def test_an_undo_is_a_change_made_now_and_a_reimport_cannot_revert_it(
        tmp_path, nlp, config, cli):
    """Undo wrote back the old annotation with its old time, so re-importing an export
    made between the change and the undo brought the undone change back."""
    source = tmp_path / "talks.txt"
    source.write_text("Trade talks\nParis hosted the talks on Monday.\n", "utf-8")
    db = tmp_path / "db"
    store = Store.open(db)
    import_paths(store, [source], lambda: nlp)
    article = store.load_article(store.summaries()[0].id)
    session = TaggingSession(store, config)
    session.toggle_label(article, 1, "trade")
    session.toggle_label(article, 1, "defence")
    exported = tmp_path / "export.yaml"
    assert cli("export", "-o", exported, db=db).code == 0  # holds trade + defence
    session.undo()
    assert store.annotations(article.id)[1].labels == ["trade"]
    result = cli("import-annotations", exported, db=db)
    assert result.code == 0, result.err
    assert store.annotations(article.id)[1].labels == ["trade"]  # the undo stands
    session.redo()  # and the chain of edits still undoes and redoes
    assert store.annotations(article.id)[1].labels == ["trade", "defence"]
    session.undo()
    session.undo()
    assert 1 not in store.annotations(article.id)


def test_undo_after_the_article_was_reimported_touches_no_other_sentence(
        tmp_path, nlp, config, cli):
    """Found by a review: after an edited re-import swapped two lines, undo (keyed by the
    sentence number) removed another process's tag on the sentence now at that number."""
    import pytest

    from annotations.session import ChangedSince

    source = tmp_path / "b.txt"
    source.write_text("Xray sentence is about tariffs here.\n"
                      "Yankee sentence is about tariffs too.\n", "utf-8")
    db = tmp_path / "db"
    store = Store.open(db)
    import_paths(store, [source], lambda: nlp)
    article_id = store.summaries()[0].id
    session = TaggingSession(store, config)
    session.toggle_label(store.load_article(article_id), 0, "trade")  # Xray
    assert cli("tag", article_id, "1", "trade", db=db).code == 0  # Yankee, another process
    source.write_text("Yankee sentence is about tariffs too.\n"
                      "Xray sentence is about tariffs here.\n", "utf-8")
    assert cli("import", source, db=db).code == 0
    before = {i: (a.text, a.labels) for i, a in store.annotations(article_id).items()}
    with pytest.raises(ChangedSince):
        session.undo()
    assert {i: (a.text, a.labels) for i, a in store.annotations(article_id).items()} == before
    assert before == {0: ("Yankee sentence is about tariffs too.", ["trade"]),
                      1: ("Xray sentence is about tariffs here.", ["trade"])}


def test_a_session_writing_gold_leaves_the_own_layer_and_undoes_in_gold(tmp_path, config):
    """Adjudication (issue 12): with ``layer`` set to gold the keys write the gold layer,
    recording the adjudicator's name; an undo goes back to the layer the edit was made in,
    whichever the session writes when it is undone."""
    from dataclasses import replace

    from annotations.identity import GOLD
    from tests.helpers import db_of_articles, put_tag

    store = db_of_articles(tmp_path / "db", {"a": ["Head", "One.", "Two."]})
    store.annotator = "judge"
    put_tag(store, "a", 1, ["trade"])  # the home layer ("test")
    article = store.load_article("a")
    session = TaggingSession(store, replace(config, annotator="judge"))
    session.layer = GOLD
    session.toggle_label(article, 1, "defence")
    session.confirm(article, 2)  # none apply
    layers = store.load_layers("a").layers()
    assert {i: (a.labels, a.annotator) for i, a in layers[GOLD].placed.items()} == {
        1: (["defence"], "judge"), 2: ([], "judge")}
    assert layers["test"].placed[1].labels == ["trade"]
    session.layer = None
    session.undo()  # the none apply on 2, in gold
    session.undo()  # the defence on 1, in gold
    layers = store.load_layers("a").layers()
    assert GOLD not in layers and layers["test"].placed[1].labels == ["trade"]
    session.redo()
    assert store.load_layers("a").layers()[GOLD].placed[1].labels == ["defence"]
