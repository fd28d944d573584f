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


def summed_stats(store: Store, config) -> dict:
    """``stats --json`` as it was computed before the corpus totals were kept: every
    article's kept counts row summed. The independent reference that ``compute_stats``
    (kept totals plus rows) and ``summary_stats`` must equal."""
    from annotations.activity import read_activity
    from annotations.counts import Counts
    from annotations.progress import annotator_stats, article_progress
    from annotations.stats import article_rows

    counts = store.kept_counts()
    activity = read_activity(store.root)
    rows = article_rows(store, counts=counts)
    per_label = {name: 0 for name in config.label_names}
    for row in rows:
        for label, n in row["labels"].items():
            per_label[label] = per_label.get(label, 0) + n
    # The configured labels first, then the others by name.
    per_label = {k: per_label[k] for k in config.label_names} | dict(sorted(
        (k, v) for k, v in per_label.items() if k not in config.label_names))
    total = sum(r["sentences"] for r in rows)
    reviewed = sum(r["reviewed"] for r in rows)
    for row in rows:
        row["progress"] = article_progress(row["reviewed"], row["sentences"])
    empty = Counts.none()
    return {
        "articles": len(rows), "sentences": total, "reviewed": reviewed,
        "tagged": sum(r["tagged"] for r in rows),
        "none_apply": reviewed - sum(r["tagged"] for r in rows),
        "orphaned": sum(r["orphaned"] for r in rows),
        "progress": round(reviewed / total, 4) if total else 0.0,
        "labels": per_label, "per_article": rows,
        **annotator_stats((counts.get(r["id"], empty).annotators for r in rows), activity,
                          config.label_names),
    }


def clock_step() -> None:
    """Let a step of the file system's clock pass after a write, as one always has when
    a person runs the next command: a stamp recorded sooner is not trusted to say the
    file was not written again since (annotations/file_stamps.py), and what it guards
    is read again, which is what the tests of the kept counts' savings must not see."""
    import time

    from annotations.file_stamps import FINE_STEP_NS

    time.sleep(FINE_STEP_NS / 1e9 + 0.02)
