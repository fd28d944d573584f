"""Annotation storage on TinyDB: a folder with one small TinyDB file per article.

Layout of a database folder::

    newstag.json              index: schema version and one row per article
    articles/<id>.json        the article text with its sentences and entities
    annotations/<id>.json     the article's sentence annotations (and orphans)
    counts/<xx>.json          per-article counts (reviewed, tagged, labels, ...), 256 shards
    .lock                     taken around every read-modify-write

Tagging rewrites only the tagged article's annotation file and one small counts
shard, so its cost does not grow with the size of the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from annotations import counts as kept
from annotations import dbfiles
from annotations.annotation_records import records as _records
from annotations.article_check import article_file_problem
from annotations.article_start import ArticleStart, decode_start, finished, with_entities
from annotations.atomic_io import (
    AtomicJSONStorage,
    CorruptFile,
    parse_tables,
    read_db_bytes,
    read_json_tables,
)
from annotations.backup import backup_if_due, remove_stale_staging
from annotations.db_folder import (
    INDEX_FILE,
    check_not_emptied,
    check_root,
    remove_orphan_temp_files,
)
from annotations.errors import DatabaseError, UserError, brief
from annotations.filenames import file_stem, legacy_file_stem
from annotations.first_page import FirstPage, keep_first_page, read_first_page
from annotations.index_file import ArticleSummary, no_gc
from annotations.index_file import decode_index as _decode_index
from annotations.index_file import decode_meta as _decode_meta
from annotations.index_file import index_rows as _index_rows
from annotations.index_file import upsert_by_id as _upsert_by_id
from annotations.layers import LAYERS_TABLE, merged, others_in, people_in
from annotations.migrations import SCHEMA_VERSION, migrate
from annotations.model import Article, SentenceAnnotation
from annotations.record_files import ArticleAnnotations
from annotations.record_files import annotations_in as _annotations_in
from annotations.record_files import article_body as _article_body
from annotations.record_files import article_of as _article_of

if TYPE_CHECKING:  # tinydb is imported where a TinyDB is opened (atomic_io.AtomicJSONStorage)
    from tinydb import TinyDB
    from tinydb.table import Document


def _schema_document(version: int) -> Document:
    from tinydb.table import Document

    return Document({"schema_version": version}, doc_id=1)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    """The one way the rest of newstag reads and writes the database."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock_depth = 0
        self._lock_fd: int | None = None
        self._index_cache: tuple[tuple, dict[str, ArticleSummary]] | None = None
        self._tables_cache: tuple[tuple, tuple[dict, dict[str, ArticleSummary] | None]] \
            | None = None
        self._page_cache: tuple[tuple, FirstPage] | None = None
        self._transactions: dict[str, ArticleAnnotations] = {}
        # A schema-2 database opened read-only (no migration) keeps its old file names.
        self._legacy_names = False
        # Whose layer reads and writes go to (annotations/layers.py); None: the home layer.
        self.annotator: str | None = None

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, root: str | Path, create: bool = True, annotator: str | None = None,
             tidy: bool = True) -> Store:
        """``tidy``: remove the temp files crashed writers left now (else call ``tidy()``
        later: the reader does, once its first screen is drawn)."""
        store = cls(Path(root))
        store.annotator = annotator
        check_root(store.root, create)
        if create:
            with store.locked():
                if tidy:
                    remove_orphan_temp_files(store.root)
                remove_stale_staging(store.root)
                store._init_index()
                backup_if_due(store.root)
        elif store.index_path.exists():
            check_not_emptied(store.root)
            if store.index_path.stat().st_size:
                store._check_schema()
        return store

    def tidy(self) -> None:
        """Remove the temp files crashed writers left, under the lock."""
        with self.locked():
            remove_orphan_temp_files(self.root)

    @property
    def index_path(self) -> Path:
        return dbfiles.inside(self.root, INDEX_FILE)

    @property
    def exists(self) -> bool:
        return self.index_path.exists()

    def _init_index(self) -> None:
        if self.index_path.exists():
            check_not_emptied(self.root)
        if self.index_path.exists() and self.index_path.stat().st_size:
            version = self._check_schema()
            if version < SCHEMA_VERSION:

                migrate(self, version)
                self._legacy_names = False
            return
        with self._db(self.index_path) as db:
            db.table("meta").upsert(_schema_document(SCHEMA_VERSION))

    def _check_schema(self) -> int:
        # The schema version of this very index version as the kept first page saw it,
        # else from the meta table alone: the rows are decoded and checked by the first
        # read of them (``_index``), which reports a damaged row.
        st = self.index_path.stat()
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        page = self._first_page(key)
        version: object = page.schema if page is not None else None
        if version is None:
            decoded = _decode_meta(self.index_path)
            if decoded is None:  # the general path: a damaged file is one message, here
                tables, _ = self._index_tables(key)
                decoded = tables.get("meta", {})
            version = decoded.get("1", {}).get("schema_version")
        if not isinstance(version, int):
            raise CorruptFile(self.index_path, "no schema version; not a newstag index")
        self._legacy_names = version < 3
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.index_path}: written by a newer newstag (schema {version}, this one "
                f"reads {SCHEMA_VERSION}); upgrade newstag to open it"
            )
        return version

    @contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock across processes around read-modify-write."""
        if self._lock_depth == 0:
            fd = dbfiles.open_lock(self.root)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_fd = fd
        self._lock_depth += 1
        try:
            yield
        finally:
            self._lock_depth -= 1
            if self._lock_depth == 0 and self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None

    @contextmanager
    def _db(self, path: Path) -> Iterator[TinyDB]:
        from tinydb import TinyDB  # here only: see AtomicJSONStorage

        db = TinyDB(path, storage=AtomicJSONStorage, root=self.root)
        db.table("_default", cache_size=0)
        try:
            yield db
        finally:
            db.close()

    def _stem(self, article_id: str) -> str:
        return legacy_file_stem(article_id) if self._legacy_names else file_stem(article_id)

    def _article_path(self, article_id: str) -> Path:
        return dbfiles.inside(self.root, "articles", f"{self._stem(article_id)}.json")

    def _annotation_path(self, article_id: str) -> Path:
        return dbfiles.inside(self.root, "annotations", f"{self._stem(article_id)}.json")

    def set_schema_version(self, version: int) -> None:
        with self.locked(), self._db(self.index_path) as db:
            db.table("meta").upsert(_schema_document(version))

    # -- articles ------------------------------------------------------------
    def summaries(self) -> list[ArticleSummary]:
        return list(self._index().values())

    def _index(self) -> dict[str, ArticleSummary]:
        """Index rows by id, re-read only when the index file was replaced."""
        taken = time.time_ns()  # before the stat: what the first page's stamp is judged at
        try:
            st = self.index_path.stat()
        except FileNotFoundError:
            return {}
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._index_cache is None or self._index_cache[0] != key:
            tables, rows = self._index_tables(key)
            self._tables_cache = None  # parsed once: the rows are all that is kept
            if rows is None:
                with no_gc():
                    rows = _index_rows(self.index_path, tables)
            self._index_cache = (key, rows)
            # Every row was read and checked: what a first screen shows is kept from it.
            schema = tables.get("meta", {}).get("1", {}).get("schema_version")
            if isinstance(schema, int) and not isinstance(schema, bool):
                keep_first_page(kept.CountsFiles(self.root), key, schema, rows.values(),
                                len(rows), taken)
        return self._index_cache[1]

    def _first_page(self, key: tuple) -> FirstPage | None:
        """The kept first page of the index version ``key`` (kept once found: another
        process may write it meanwhile)."""
        if self._page_cache is None or self._page_cache[0] != key:
            page = read_first_page(kept.CountsFiles(self.root), key)
            if page is None:
                return None
            self._page_cache = (key, page)
        return self._page_cache[1]

    def article_count(self) -> int:
        """How many articles the index lists (from the kept first page when it is this
        version's: no row decoded)."""
        return self.first_summaries(0)[1]

    def first_summaries(self, count: int) -> tuple[Sequence[ArticleSummary], int]:
        """The first ``count`` index rows and how many there are: from the kept first
        page when it is this version's (no row decoded), else from the index."""
        try:
            st = self.index_path.stat()
        except FileNotFoundError:
            return [], 0
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._index_cache is None or self._index_cache[0] != key:
            page = self._first_page(key)
            first = page.first(count) if page is not None else None
            if first is not None:
                return first
        rows = self.summaries()
        return rows[:count], len(rows)

    def _index_tables(self, key: tuple) -> tuple[dict, dict[str, ArticleSummary] | None]:
        """(tables, rows by id) of the index, parsed once per version of the file (when
        open found it damaged, the rows' read reuses that parse and its message).
        The usual case decodes straight to rows (tables then holds only meta); otherwise
        tables is what read_json_tables gives and rows is None: the row-by-row path
        decides, with the messages it always gave."""
        if self._tables_cache is not None and self._tables_cache[0] == key:
            return self._tables_cache[1]
        with no_gc():
            decoded = _decode_index(self.index_path)
        parsed: tuple[dict, dict[str, ArticleSummary] | None] = \
            decoded if decoded is not None else (read_json_tables(self.index_path) or {}, None)
        self._tables_cache = (key, parsed)
        return parsed

    def summary(self, article_id: str) -> ArticleSummary | None:
        return self._index().get(article_id)

    def resolve(self, ref: str) -> ArticleSummary:
        """An article by id or unique id prefix."""
        index = self._index()
        if ref in index:
            return index[ref]
        matches = [s for s in index.values() if s.id.startswith(ref)] if ref else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UserError(f"no article {brief(ref)} in {self.root} (see 'newstag list')")
        ids = ", ".join(s.id for s in matches[:5])
        raise UserError(f"article prefix {brief(ref)} is ambiguous: {ids}")

    def load_article(self, article_id: str, corrected: bool = True) -> Article:
        """The article; its entities with the entity rules laid over the model's
        (``corrected=False``: the model's own, as stored; annotations/entity_apply.py)."""
        summary = self.summary(article_id)
        if summary is None:
            raise UserError(f"no article {brief(article_id)} in {self.root}")
        with no_gc():  # tens of thousands of small objects, none of them cyclic
            tables = read_json_tables(self._article_path(article_id))
            article = self._article_from(summary, tables, article_id)
        if corrected:
            from annotations.entity_overlay import corrected_article

            article = corrected_article(self.root, article)
        return article

    def open_article(self, article_id: str) -> ArticleStart:
        """The article for the reader's first screen: its text and sentences now, its
        entities and the rest of the file's check with ``finish()``, which gives exactly
        what ``load_article`` gives (its errors too). An article with entity rules, or a
        file that is not the usual one, is read whole now (annotations/article_start.py)."""
        from annotations.entity_overlay import corrected_article, rule_set

        summary = self.summary(article_id)
        path = self._article_path(article_id)
        if summary is None or rule_set(self.root).touches(article_id):
            return finished(path, self.load_article(article_id))
        with no_gc():
            data = read_db_bytes(path) or b""
            started = decode_start(summary, data) if data else None
        if started is None:
            return finished(path, self.load_article(article_id))
        article, body = started

        def finish(numbers: list[int] | None) -> Article:
            """``numbers``: the entities' array decoded (None: it is not numbers)."""
            with no_gc():
                whole = (with_entities(article, numbers, body.entity_labels)
                         if numbers is not None else None)
                if whole is None:  # damaged: the general path says how, as it always did
                    whole = self._article_from(summary, parse_tables(path, data), article_id)
            return corrected_article(self.root, whole)

        return ArticleStart(path, article, body, finish)

    def _article_from(self, summary: ArticleSummary, tables: dict | None,
                      article_id: str) -> Article:
        if not tables or "1" not in tables.get("article", {}):
            raise DatabaseError(f"{self._article_path(article_id)}: article file is missing; "
                                "import the article again or run 'newstag doctor'")
        if problem := article_file_problem(tables):  # here, not as a traceback later
            raise CorruptFile(self._article_path(article_id),
                              f"valid JSON but not a newstag article ({problem})")
        try:
            return _article_of(summary, tables["article"]["1"])
        except (TypeError, KeyError, ValueError, IndexError) as exc:
            raise CorruptFile(self._article_path(article_id), "valid JSON but not a newstag "
                              f"article ({type(exc).__name__}: {exc})") from None

    def save_article(self, article: Article, content_id: str) -> ArticleSummary:
        return self.save_articles([(article, content_id)])[0]

    def save_articles(self, items: list[tuple[Article, str]]) -> list[ArticleSummary]:
        """Write processed articles, then their index rows in one index write.

        Article files go first: a crash in between leaves files the index does
        not name yet, which the next import writes again.
        """
        with self.locked():
            for article, _ in items:
                self.write_article_file(article)
            return self.write_index_rows(items)

    def write_article_file(self, article: Article) -> None:
        """The article's text, sentences and entities (not yet listed in the index).

        One write (TinyDB's upsert wrote twice, so the kept previous version was an
        empty table), and the file names its own id and metadata: a lost index can
        be rebuilt from the article files alone.
        """
        with self.locked():
            storage = AtomicJSONStorage(self._article_path(article.id), root=self.root)
            storage.write({"article": {"1": _article_body(article)}})

    def write_index_rows(self, items: list[tuple[Article, str]]) -> list[ArticleSummary]:
        """List written articles in the index, one write for all of them."""
        with self.locked():
            old = {s.id: s for s in self.summaries()}
            stamp = now_iso()
            summaries = [
                ArticleSummary(
                    id=article.id, title=article.title, source=article.source,
                    published=article.published, source_path=article.source_path,
                    content_id=content_id,
                    sentences=sum(not s.heading for s in article.sentences),
                    headings=sum(s.heading for s in article.sentences),
                    imported_at=old[article.id].imported_at if article.id in old else stamp,
                    updated_at=stamp,
                )
                for article, content_id in items
            ]
            # One read and one atomic write of the index for all rows.
            tables = read_json_tables(self.index_path) or {}
            _upsert_by_id(tables, summaries)
            AtomicJSONStorage(self.index_path, root=self.root).write(tables)
            # A row of counts for each (re)listed article. A crash before this leaves
            # rows missing, which the next reader recounts (annotations/counts.py).
            rows = {}
            for s in summaries:
                with contextlib.suppress(DatabaseError):  # damaged: doctor's business
                    rows[s.id] = kept.recount(self, s.id)
            with contextlib.suppress(OSError, DatabaseError):  # derived: recounted on read
                kept.CountsFiles(self.root).put(rows)
        return summaries

    def kept_counts(self, ids: Iterable[str] | None = None) -> dict[str, kept.Counts]:
        """Every article's annotation counts (or those of ``ids``, reading only their
        shards) without opening its annotation file."""
        index = self._index()
        with no_gc():
            if ids is None:
                return kept.kept_counts(self, index)
            return kept.kept_counts(self, {i: index[i] for i in ids if i in index}, part=True)

    def listed_counts(self, ids: Iterable[str] | None = None,
                      summaries: Iterable[ArticleSummary] | None = None
                      ) -> Mapping[str, kept.LabelCounts]:
        """``kept_counts`` without the per-annotator counts: what a listing shows. Of
        every article, of ``ids``, or of the articles of ``summaries`` (index rows the
        caller has: the index is not read for them)."""
        with no_gc():
            if summaries is not None:
                return kept.listed_counts(self, {s.id: s for s in summaries}, part=True)
            index = self._index()
            if ids is None:
                return kept.listed_counts(self, index)
            return kept.listed_counts(self, {i: index[i] for i in ids if i in index},
                                      part=True)

    # -- annotations ---------------------------------------------------------
    @contextmanager
    def annotations_of(self, article_id: str) -> Iterator[ArticleAnnotations]:
        """The one way to change an article's annotations: a transaction.

        Takes the lock, reads the article's annotation file once, yields its
        annotations to change in place, and writes the file once on exit if
        anything changed. Nothing is written when the block raises. Reading
        inside the lock is what keeps a second writer's change (another
        process, the reader) from being overwritten by a stale copy.
        A nested transaction on the same article shares the outer one.
        """
        current = self._transactions.get(article_id)
        if current is not None:
            yield current
            return
        with self.locked():
            path = self._annotation_path(article_id)
            tables = read_json_tables(path) or {}
            annotations = self._annotations_from(article_id, path, tables)
            self._transactions[article_id] = annotations
            try:
                yield annotations
            finally:
                del self._transactions[article_id]
            new = annotations.tables()
            if any(new.get(t, {}) != tables.get(t, {}) for t in (*new, LAYERS_TABLE)):
                kept_tables = {k: v for k, v in tables.items() if k != LAYERS_TABLE}
                self._write_annotations(path, {**kept_tables, **new}, annotations)

    def _annotations_from(self, article_id: str, path: Path, tables: dict) -> ArticleAnnotations:
        return ArticleAnnotations(article_id, *_annotations_in(path, tables),
                                  others_in(path, tables), active=self.annotator)

    def _write_annotations(self, path: Path, tables: dict,
                           annotations: ArticleAnnotations) -> None:
        """The annotation file, then the article's counts (caller holds the lock).

        Two files, so a crash between the writes would leave stale counts: the
        pending marker written first names the article until its counts are kept,
        and whoever finds it recounts that article (annotations/counts.py).
        """
        files = kept.CountsFiles(self.root)
        # A marker that is not a file (a FIFO, a link) refuses the change here, before
        # anything is written: without it a crash mid-way could not be noticed.
        if files.pending() is not None:  # a writer died mid-way: repair its row first
            kept.heal(self)
        files.mark_pending(annotations.article_id)
        # The tables dict goes straight to the atomic storage: one write, and no
        # TinyDB internals (Table._update_table) to rely on.
        AtomicJSONStorage(path, root=self.root).write(tables)
        kept.crash_point("between-annotation-and-counts")
        # The tag is on disk: a failure from here on (a full disk, a shard that is a link
        # or a FIFO) must not report it as failed; the marker stays and the next reader
        # recounts, or doctor reports the shard.
        with contextlib.suppress(OSError, DatabaseError):
            layers = annotations.layers()
            every = merged([*layers.values()] or [annotations.home])
            files.put({annotations.article_id: kept.count(
                every.placed, every.orphans, kept.signature_of(path), people_in(layers))})
            files.clear_pending()

    def load_annotations(
        self, article_id: str
    ) -> tuple[dict[int, SentenceAnnotation], list[SentenceAnnotation]]:
        """The active layer's annotations by sentence index, and its orphans, in one read."""
        layer = self.load_layers(article_id)
        seen = layer.view(self.annotator)
        return seen.placed, seen.orphans

    def load_layers(self, article_id: str) -> ArticleAnnotations:
        """Every layer of the article's annotations, read once (changes are not written)."""
        path = self._annotation_path(article_id)
        return self._annotations_from(article_id, path, read_json_tables(path) or {})

    def annotations_signature(self, article_id: str) -> tuple[int, int, int] | None:
        """Changes whenever the article's annotation file is replaced (by anyone)."""
        try:
            st = self._annotation_path(article_id).stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def annotations(self, article_id: str) -> dict[int, SentenceAnnotation]:
        return self.load_annotations(article_id)[0]

    def orphans(self, article_id: str) -> list[SentenceAnnotation]:
        return self.load_annotations(article_id)[1]

    def put_annotation(self, annotation: SentenceAnnotation) -> None:
        self.put_annotations([annotation])

    def put_annotations(self, annotations: Iterable[SentenceAnnotation]) -> None:
        """Store annotations, one transaction (one atomic write) per article.

        An annotation that is unreviewed with no note is removed: it says nothing.
        """
        by_article: dict[str, list[SentenceAnnotation]] = {}
        for annotation in annotations:
            if annotation.sentence_index is None:
                raise ValueError("orphaned annotations are stored with replace_annotations")
            by_article.setdefault(annotation.article_id, []).append(annotation)
        with self.locked():
            for article_id, items in by_article.items():
                with self.annotations_of(article_id) as current:
                    for annotation in items:
                        current.put(annotation)

    def delete_annotation(self, article_id: str, index: int) -> None:
        with self.annotations_of(article_id) as current:
            current.remove(index)

    def replace_annotations(
        self, article_id: str, placed: Iterable[SentenceAnnotation],
        orphans: Iterable[SentenceAnnotation],
    ) -> None:
        """Replace all of an article's annotations in one atomic write."""
        with self.annotations_of(article_id) as current:
            current.replace(placed, orphans)

    def unplaced(self) -> list[SentenceAnnotation]:
        """Imported annotations whose sentence is in no article here (kept, exported)."""
        path = self.root / "unplaced.json"
        tables = read_json_tables(path) or {}
        return [a for _, a in _records(path, tables.get("unplaced", {}))]

    @contextmanager
    def unplaced_annotations(self) -> Iterator[list[SentenceAnnotation]]:
        """A transaction on the unplaced annotations: lock, read once, write once if changed."""
        path = self.root / "unplaced.json"
        with self.locked():
            tables = read_json_tables(path) or {}
            items = [a for _, a in _records(path, tables.get("unplaced", {}))]
            yield items
            rows = {str(i + 1): a.to_record() for i, a in enumerate(items)}
            if rows != tables.get("unplaced", {}):
                AtomicJSONStorage(path, root=self.root).write({**tables, "unplaced": rows})


