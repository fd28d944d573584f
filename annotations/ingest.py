"""Import articles: read sources, run NLP on what is new or changed, store, re-place tags."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from annotations.errors import brief
from annotations.model import Article, Sentence, SentenceAnnotation
from annotations.nlp import (
    PIPE_BATCH_SIZE,
    ImportCancelled,
    ProcessedText,
    line_jobs,
    process_texts,
)
from annotations.placing import place_by_text
from annotations.sources import SourceDocument, SourceProblem, read_sources
from annotations.store import Store
from annotations.text import content_id

# A single new article opened from the command line is shown while it is processed
# (issue 9): first after the first batch of lines, then each time the lines done double,
# so a 20,000-line article is copied for the reader about a dozen times, not per batch.
PREVIEW_FIRST_LINES = PIPE_BATCH_SIZE


@dataclass(slots=True)
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    moved: int = 0
    orphaned: list[SentenceAnnotation] = field(default_factory=list)

    @property
    def imported_any(self) -> bool:
        return bool(self.added or self.updated or self.unchanged)

    @property
    def skipped(self) -> list[SourceProblem]:
        return [p for p in self.problems if p.skipped]


@dataclass(slots=True)
class _Pending:
    doc: SourceDocument
    article_id: str
    content_id: str
    is_update: bool


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    load_nlp: Callable[[], object],
    n_process: int = 1,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    preview: Callable[[Article, int, int], None] | None = None,
) -> ImportReport:
    """Import articles; ``load_nlp`` is only called when something needs processing.

    ``progress(done, total)`` counts lines of text processed, batch by batch.
    ``cancelled()`` is checked between batches: ImportCancelled is raised and the index
    is left as it was, so no article of this import is listed (article files already
    written are not named by the index, as after a crash, and the next import writes
    them again).
    ``preview(article, lines_done, lines)``: see ``import_documents``.
    """
    report = ImportReport()
    documents: list[SourceDocument] = []
    for item in read_sources(paths):
        if isinstance(item, SourceProblem):
            report.problems.append(item)
        else:
            documents.append(item)
    return import_documents(store, documents, load_nlp, n_process, progress, report,
                            cancelled, preview)


def import_documents(
    store: Store,
    documents: Iterable[SourceDocument],
    load_nlp: Callable[[], object],
    n_process: int = 1,
    progress: Callable[[int, int], None] | None = None,
    report: ImportReport | None = None,
    cancelled: Callable[[], bool] | None = None,
    preview: Callable[[Article, int, int], None] | None = None,
) -> ImportReport:
    """Process and store documents that are new or changed; the rest is left alone.

    ``preview(article, lines_done, lines)`` is called, when exactly one new article is
    processed: first (``lines_done`` 0) its text with a "sentence" per line and no
    entities, before spaCy is loaded; then, as lines are processed, the sentences and
    entities of the lines done so far, numbered as they will be stored (lines are processed
    in order, so a prefix never changes), and the lines after them as before. It is not
    stored and not in the index until the import ends.
    """
    report = ImportReport() if report is None else report
    pending: dict[str, _Pending] = {}
    summaries = store.summaries()
    by_id = {s.id: s for s in summaries}
    by_path = {s.source_path: s for s in summaries if s.source_path}
    by_content = {s.content_id: s for s in summaries}
    for item in documents:
        cid = content_id(item.text)
        if item.given_id:
            existing = by_id.get(item.given_id)
            if existing is not None and not _given_ids_may_update(existing, item.given_id):
                report.problems.append(SourceProblem(
                    item.source_path, f"id {brief(item.given_id)} is already the id of the "
                    f"article imported from {brief(existing.source_path, 120)}; give this "
                    "article another id"))
                continue
        else:
            existing = by_path.get(item.source_path) if item.path_is_identity else None
        if existing is None and not item.given_id and cid in by_content:
            # The same text from another file: a duplicate, not an edit.
            report.unchanged.append(by_content[cid].id)
            continue
        article_id = item.given_id or (existing.id if existing else cid)
        if existing is None and article_id in by_id:
            # The id of an article that has since been edited (ids stay, texts change):
            # this text is another article, and must not be written over that one.
            article_id = content_id(f"{item.source_path}\n{item.text}")
            if article_id in by_id:
                report.unchanged.append(article_id)
                continue
        if existing and existing.content_id == cid and _same_metadata(existing, item):
            report.unchanged.append(article_id)
            continue
        if article_id in pending:
            report.problems.append(SourceProblem(
                item.source_path,
                f"article {brief(article_id)} appears twice; the later one is used",
                skipped=False))
        pending[article_id] = _Pending(item, article_id, cid, existing is not None)

    if not pending:
        return report
    jobs = list(pending.values())
    if len(jobs) != 1 or jobs[0].is_update:
        preview = None  # only one new article is shown while it is processed
    lines: list[tuple[int, int, bool]] = []
    if preview is not None:  # the lines as they are, to read while spaCy loads
        lines = line_jobs(jobs[0].doc.text)
        preview(_partly_processed(jobs[0], lines, ProcessedText([], []), 0), 0, len(lines))
    nlp = load_nlp()  # spaCy is imported and loaded only when there is work
    if cancelled is not None and cancelled():
        raise ImportCancelled("import stopped")

    articles: dict[int, Article] = {}
    # New articles are written by a second thread while spaCy works on the next
    # ones (file I/O and spaCy's matrix code both release the GIL). It has a Store
    # of its own: the lock depth is per Store, the flock per open file.
    writer_store = Store(store.root)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newstag-writer") as writer:
        writes: list[Future[object]] = []

        def finished(t: int) -> None:
            job, result = jobs[t], results[t]
            articles[t] = Article(
                id=job.article_id, text=job.doc.text, title=job.doc.title,
                source=job.doc.source, published=job.doc.published,
                source_path=job.doc.source_path, sentences=result.sentences,
                entities=result.entities)
            if not job.is_update:
                writes.append(writer.submit(writer_store.write_article_file, articles[t]))

        results = [ProcessedText([], []) for _ in jobs]
        on_progress = progress
        if preview is not None:
            on_progress = _previewing(jobs[0], lines, results[0], preview, progress)
        try:
            process_texts(nlp, [j.doc.text for j in jobs], n_process=n_process,
                          on_done=finished, results=results, on_progress=on_progress,
                          cancelled=cancelled)
        finally:
            for write in writes:
                write.result()  # re-raises a failed write here
    ordered = [articles[t] for t in range(len(jobs))]
    for job, article in zip(jobs, ordered, strict=True):
        if job.is_update:
            # Annotations move first, then the text: a crash in between leaves
            # annotations that the next import of the same file places again. One
            # lock around both, so no tag lands on the old sentence numbers between.
            with store.locked():
                moved, orphans = relocate_annotations(store, article)
                store.write_article_file(article)
            report.moved += moved
            report.orphaned.extend(orphans)
            report.updated.append(article.id)
        else:
            report.added.append(article.id)
    store.write_index_rows([(a, j.content_id) for a, j in zip(ordered, jobs, strict=True)])
    return report


def _partly_processed(job: _Pending, lines: list[tuple[int, int, bool]],
                      result: ProcessedText, done: int) -> Article:
    """The article as far as spaCy has come: its sentences and entities for the first
    ``done`` lines, then a "sentence" per line not processed yet (no entities)."""
    processed = result.sentences
    rest = [Sentence(i, start, end, heading) for i, (start, end, heading)
            in enumerate(lines[done:], start=len(processed))]
    doc = job.doc
    return Article(id=job.article_id, text=doc.text, title=doc.title, source=doc.source,
                   published=doc.published, source_path=doc.source_path,
                   sentences=processed + rest, entities=list(result.entities))


def _previewing(job: _Pending, lines: list[tuple[int, int, bool]], result: ProcessedText,
                preview: Callable[[Article, int, int], None],
                progress: Callable[[int, int], None] | None) -> Callable[[int, int], None]:
    next_at = PREVIEW_FIRST_LINES

    def on_progress(done: int, total: int) -> None:
        nonlocal next_at
        if done >= next_at and done < total:
            next_at = done * 2
            preview(_partly_processed(job, lines, result, done), done, total)
        if progress is not None:
            progress(done, total)
    return on_progress


def _given_ids_may_update(existing, given_id: str) -> bool:
    """An id from a file (JSONL, an export) updates the article of that id only when
    that article was itself named by an id; a text file's article is named by the hash
    of its text, which anyone can read and must not be able to take over."""
    return not existing.source_path or existing.source_path.endswith(f"#{given_id}")


def _same_metadata(existing, doc: SourceDocument) -> bool:
    return (existing.title, existing.source, existing.published) == (
        doc.title, doc.source, doc.published)


def relocate_annotations(store: Store, article: Article) -> tuple[int, list[SentenceAnnotation]]:
    """Move the article's annotations onto the new sentences with the same text.

    Returns how many were placed and the ones whose sentence is gone (kept as orphans).
    Read and written in one transaction, so a tag made meanwhile is moved too.
    """
    moved, lost = 0, list[SentenceAnnotation]()
    with store.annotations_of(article.id) as current:
        for layer in current.every_layer():  # every annotator's layer moves, gold too
            old = [layer.placed[i] for i in sorted(layer.placed)]
            placed, orphans = place_by_text(article, old + layer.orphans)
            layer.replace(placed, orphans)
            moved, lost = moved + len(placed), lost + orphans
    return moved, lost
