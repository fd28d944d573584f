"""Read a newstag YAML export back into a database, placing annotations by text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from annotations.errors import UserError, brief
from annotations.export import FORMAT_NAME, FORMAT_VERSION
from annotations.ingest import import_documents, place_by_text
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.sources import SourceDocument
from annotations.store import Store
from annotations.yamlio import load_yaml


@dataclass(slots=True)
class AnnotationImportReport:
    placed: int = 0
    kept_newer: int = 0
    orphaned: list[SentenceAnnotation] = field(default_factory=list)
    missing_articles: list[str] = field(default_factory=list)
    created_articles: list[str] = field(default_factory=list)
    unknown_labels: set[str] = field(default_factory=set)


class ExportFileError(UserError):
    def __init__(self, path: Path, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


def read_annotation_file(path: Path) -> str:
    """The text of a file of annotations, or an error naming the file."""
    try:
        return path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise ExportFileError(path, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportFileError(path, "", f"cannot read ({exc})") from None


def read_export(path: Path) -> dict:
    text = read_annotation_file(path)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ExportFileError(path, where, f"YAML syntax error: "
                              f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ExportFileError(path, "format", f"not a newstag export (expected format: "
                              f"{FORMAT_NAME})")
    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ExportFileError(path, "version", f"unsupported version {brief(version)} "
                              f"(this newstag reads up to {FORMAT_VERSION})")
    if not isinstance(data.get("articles"), list):
        raise ExportFileError(path, "articles", "must be a list")
    return data


def _annotations_of(path: Path, i: int, entry: dict, article_id: str) -> list[SentenceAnnotation]:
    sentences = entry.get("sentences") or []
    if not isinstance(sentences, list):
        raise ExportFileError(path, f"articles[{i}].sentences", "must be a list")
    result = []
    for j, rec in enumerate(sentences):
        where = f"articles[{i}].sentences[{j}]"
        if not isinstance(rec, dict):
            raise ExportFileError(path, where, "must be a mapping")
        text, labels = rec.get("text"), rec.get("labels") or []
        if not isinstance(text, str) or not text:
            raise ExportFileError(path, f"{where}.text", "must be the sentence text")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ExportFileError(path, f"{where}.labels", "must be a list of label names")
        try:
            state = ReviewState(rec.get("state", "reviewed" if labels else "unreviewed"))
        except ValueError:
            raise ExportFileError(path, f"{where}.state",
                                  "must be 'reviewed' or 'unreviewed'") from None
        index = rec.get("index")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise ExportFileError(path, f"{where}.index", "must be a whole number or null")
        result.append(SentenceAnnotation(
            article_id=article_id, sentence_index=index, text=text,
            start=int(rec.get("start") or 0), end=int(rec.get("end") or 0), labels=labels,
            state=state, note=str(rec.get("note") or ""),
            annotator=str(rec.get("annotator") or ""),
            created_at=str(rec.get("created_at") or ""),
            updated_at=str(rec.get("updated_at") or ""),
        ))
    return result


def import_annotations_yaml(
    store: Store, path: Path, label_names: list[str], load_nlp: Callable[[], object],
) -> AnnotationImportReport:
    """Merge an export into the store; on a sentence both have, the newer change wins."""
    return import_export_data(store, read_export(path), path, label_names, load_nlp)


def import_export_data(
    store: Store, data: dict, path: Path, label_names: list[str],
    load_nlp: Callable[[], object],
) -> AnnotationImportReport:
    """Merge an export already read with ``read_export`` (``path`` names it in errors)."""
    report = AnnotationImportReport()
    parsed: list[tuple[dict, list[SentenceAnnotation]]] = []
    for i, entry in enumerate(data["articles"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str | int):
            raise ExportFileError(path, f"articles[{i}]", "must be a mapping with an id")
        article_id = str(entry["id"])
        parsed.append((entry, _annotations_of(path, i, entry, article_id)))

    known = {s.id for s in store.summaries()}
    to_create = [
        SourceDocument(text=e["text"], title=str(e.get("title") or article_id_of(e)),
                       source_path="", given_id=article_id_of(e),
                       source=str(e.get("source") or ""), published=str(e.get("published") or ""))
        for e, _ in parsed
        if article_id_of(e) not in known and isinstance(e.get("text"), str) and e["text"].strip()
    ]
    if to_create:
        created = import_documents(store, to_create, load_nlp)
        report.created_articles = created.added

    known = {s.id for s in store.summaries()}
    for entry, incoming in parsed:
        article_id = article_id_of(entry)
        if article_id not in known:
            report.missing_articles.append(article_id)
            report.orphaned.extend(incoming)
            continue
        report.unknown_labels |= {x for a in incoming for x in a.labels} - set(label_names)
        merge_into_article(store, store.load_article(article_id), incoming, report)
    unplaced = data.get("unplaced") or []
    if unplaced:
        from annotations.interop_import import Incoming, import_incoming

        if not isinstance(unplaced, list):
            raise ExportFileError(path, "unplaced", "must be a list")
        items = [
            Incoming(text=str(u.get("text") or ""), labels=list(u.get("labels") or []),
                     note=str(u.get("note") or ""), annotator=str(u.get("annotator") or ""),
                     updated_at=str(u.get("updated_at") or ""))
            for u in unplaced if isinstance(u, dict) and u.get("text")
        ]
        more = import_incoming(store, items, "", label_names)
        report.placed += more.placed
        report.kept_newer += more.kept_newer
        report.orphaned += more.orphaned
    return report


def article_id_of(entry: dict) -> str:
    return str(entry["id"])


def merge_into_article(store: Store, article: Article, incoming: list[SentenceAnnotation],
           report: AnnotationImportReport) -> None:
    current = store.annotations(article.id)
    orphans = store.orphans(article.id)
    exact, by_text = [], []
    for annotation in incoming:
        index = annotation.sentence_index
        if (index is not None and 0 <= index < len(article.sentences)
                and not article.sentences[index].heading
                and article.sentence_text(article.sentences[index]) == annotation.text):
            exact.append(annotation)
        else:
            by_text.append(annotation)
    taken = {a.sentence_index for a in exact}
    placed_by_text, new_orphans = place_by_text(_without(article, taken), by_text)
    for annotation in exact:
        sentence = article.sentences[annotation.sentence_index]
        annotation.start, annotation.end = sentence.start, sentence.end
    for annotation in exact + placed_by_text:
        old = current.get(annotation.sentence_index)
        if old is not None and old.updated_at > annotation.updated_at:
            report.kept_newer += 1
            continue
        current[annotation.sentence_index] = annotation
        report.placed += 1
    known_orphans = {(o.text, o.updated_at) for o in orphans}
    orphans += [o for o in new_orphans if (o.text, o.updated_at) not in known_orphans]
    report.orphaned.extend(new_orphans)
    store.replace_annotations(article.id, current.values(), orphans)


def _without(article: Article, taken: set[int]) -> Article:
    """The article with some sentences marked as headings, so text matching skips them."""
    return Article(
        id=article.id, text=article.text, title=article.title,
        sentences=[replace(s, heading=True) if s.index in taken else s
                   for s in article.sentences],
    )
