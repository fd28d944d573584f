"""A suggestion confirmed by a key is an ordinary annotation; a newer tag is never lost."""

from __future__ import annotations

from annotations.config import load_config
from annotations.model import ReviewState
from annotations.session import TaggingSession
from annotations.suggest.reviewing import confirm_suggested, toggle_suggested
from tests.helpers import DATA, db_of_articles, put_tag

LINES = ["Port Report", "Tariffs on steel rose again.", "The navy sent two frigates."]


def _session(tmp_path):
    store = db_of_articles(tmp_path / "db", {"port": LINES})
    session = TaggingSession(store, load_config(str(DATA / "suggest" / "config.yaml")))
    return store, session, store.load_article("port")


def test_confirm_and_toggle_store_a_reviewed_annotation_with_undo(tmp_path):
    store, session, article = _session(tmp_path)
    stored = confirm_suggested(session, article, 1, ("trade",))
    assert stored.labels == ["trade"] and stored.state is ReviewState.REVIEWED
    assert store.annotations("port")[1].labels == ["trade"]
    toggle_suggested(session, article, 2, ("defence",), "trade")
    assert store.annotations("port")[2].labels == ["trade", "defence"]  # config order
    session.undo()
    session.undo()
    assert store.annotations("port") == {}


def test_a_sentence_labelled_elsewhere_since_keeps_that_label(tmp_path):
    """The reader showed a suggestion, then `newstag tag` labelled the sentence: Enter
    confirms what is stored (as on any labelled sentence), a label key toggles it."""
    store, session, article = _session(tmp_path)
    put_tag(store, "port", 1, ["diplomacy"])
    confirm_suggested(session, article, 1, ("trade",))
    assert store.annotations("port")[1].labels == ["diplomacy"]
    toggle_suggested(session, article, 1, ("trade",), "defence")
    assert store.annotations("port")[1].labels == ["defence", "diplomacy"]


def test_no_label_suggested_means_none_apply(tmp_path):
    store, session, article = _session(tmp_path)
    confirm_suggested(session, article, 2, ())
    saved = store.annotations("port")[2]
    assert saved.labels == [] and saved.state is ReviewState.REVIEWED
    # The only suggested label taken off: nothing is written.
    assert toggle_suggested(session, article, 1, ("trade",), "trade") is None
    assert 1 not in store.annotations("port")
