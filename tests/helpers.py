"""Paths and small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from annotations.store import Store

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
INDIA = CORPUS / "india-us-defence-framework.txt"


def article_id_for(db: Path, source_name: str) -> str:
    return next(s.id for s in Store.open(db, create=False).summaries() if s.source == source_name)
