"""The records of one TinyDB table of annotations, each checked in full before any is
trusted: shared by an article's home layer (``annotations.record_files``), its other
layers (``annotations.layers``) and the unplaced table (``annotations.store``)."""

from __future__ import annotations

from pathlib import Path

from annotations.atomic_io import CorruptFile
from annotations.errors import brief
from annotations.model import SentenceAnnotation
from annotations.shapes import annotation_problem


def records(path: Path, rows: dict, orphan: bool = True) -> list[tuple[int, SentenceAnnotation]]:
    """(document id, annotation) for every record of a TinyDB table, by document id.

    Every record is checked in full first: ``"labels": "trade"`` would otherwise be
    read as five one-letter labels, and a wrong tag shown or exported is worse than a
    refusal that points to ``newstag doctor``.
    """
    for doc_id, record in rows.items():
        problem = annotation_problem(record, orphan=orphan)
        if problem:
            raise CorruptFile(path, f"record {brief(doc_id)} is not a newstag annotation "
                              f"({problem})")
    try:
        ordered = sorted(((int(k), v) for k, v in rows.items()), key=lambda kv: kv[0])
        return [(doc_id, SentenceAnnotation.from_record(v)) for doc_id, v in ordered]
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise CorruptFile(path, "valid JSON but not newstag annotations "
                          f"({type(exc).__name__}: {exc})") from None
