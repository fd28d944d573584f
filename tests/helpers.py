"""Paths and small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import Store
from annotations.text import content_id

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# Invented articles that live in the repository, so a plain clone can run the tests:
# three .txt files and a JSONL feed with two articles (five articles in all).
CORPUS = DATA / "corpus"
CORPUS_ARTICLES = 5
# No title line (its title is its first sentence shortened), so sentence 0 can be tagged; two
# headings (indices 5 and 10) and 15 sentences.
MAIN_ARTICLE = CORPUS / "japan-philippines-access-pact.txt"
MAIN_SENTENCES = 15
MAIN_HEADINGS = ["Tariffs Come Down", "Regional Reactions"]


def article_id_for(db: Path, source_name: str) -> str:
    return next(s.id for s in Store.open(db, create=False).summaries() if s.source == source_name)


def article_of_lines(article_id: str, lines: list[str]) -> Article:
    text = "\n".join(lines) + "\n"
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line), heading=i == 0))
        pos += len(line) + 1
    return Article(id=article_id, text=text, title=lines[0], sentences=sentences)


def db_of_articles(root: Path, articles: dict[str, list[str]]) -> Store:
    """A database of articles written directly (no spaCy): the first line a heading."""
    store = Store.open(root)
    store.save_articles([(a, content_id(a.text)) for a in
                         (article_of_lines(i, lines) for i, lines in articles.items())])
    return store


def put_tag(store: Store, article_id: str, index: int, labels: list[str], note: str = "",
         stamp: str = "2024-01-01T00:00:00.000Z") -> None:
    article = store.load_article(article_id)
    s = article.sentences[index]
    store.put_annotation(SentenceAnnotation(
        article_id, index, article.sentence_text(s), s.start, s.end, labels,
        ReviewState.REVIEWED, note, "test", stamp, stamp))
