"""Paths and small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from annotations.store import Store

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
