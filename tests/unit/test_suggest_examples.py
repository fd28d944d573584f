"""Training examples come from the articles whose kept counts say something was reviewed."""

from __future__ import annotations

from annotations.suggest.examples import reviewed_examples
from tests.helpers import db_of_articles, put_tag


def test_only_articles_with_reviewed_sentences_are_read(tmp_path):
    articles = {f"a{i}": [f"Title {i}", f"Ships sailed from port {i}.", f"Talks began {i}."]
                for i in range(30)}
    store = db_of_articles(tmp_path / "db", articles)
    put_tag(store, "a3", 1, ["trade"])
    put_tag(store, "a7", 2, [])
    read: list[str] = []
    original = store.annotations

    def counting(article_id: str):  # a spy on the real read, not a stand-in
        read.append(article_id)
        return original(article_id)

    store.annotations = counting  # type: ignore[method-assign]
    examples = reviewed_examples(store)
    assert sorted(read) == ["a3", "a7"]
    assert sorted((e.text, tuple(e.labels)) for e in examples) == [
        ("Ships sailed from port 3.", ("trade",)), ("Talks began 7.", ())]
