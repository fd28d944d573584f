"""Per-annotator counts of one article, kept in its counts row (annotations/counts.py).

``newstag stats`` and the stats screen report, per annotator, the label distribution,
the sentences reviewed and how many were reviewed each day. Reading every annotation
file for that would make ``stats`` grow with the corpus (issue 14), so the transaction
that writes an article's annotations also writes these numbers, one more field of the
article's kept row.

A day is the UTC date of the annotation's last change (``updated_at``, which is UTC):
newstag keeps the latest state of a sentence, not every key press, so "tags per day"
counts the sentences whose latest review happened that day. An annotation whose stamp
is not an ISO date (an imported file may hold anything) counts everywhere but in days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

import msgspec

from annotations.model import ReviewState, SentenceAnnotation

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}\Z"
_DAY = re.compile(DAY_PATTERN)

_Count = Annotated[int, msgspec.Meta(ge=0)]
# Checked when a shard is decoded: a key of a hostile shard that is not a date is refused.
Day = Annotated[str, msgspec.Meta(pattern=DAY_PATTERN)]


class AnnotatorCounts(msgspec.Struct, gc=False):
    """What one annotator's annotations of an article add up to."""

    reviewed: _Count
    tagged: _Count
    none_apply: _Count
    labels: dict[str, _Count]
    days: dict[Day, _Count]  # reviewed sentences by the UTC day of their last change

    def to_row(self) -> dict:
        return {"reviewed": self.reviewed, "tagged": self.tagged,
                "none_apply": self.none_apply, "labels": self.labels, "days": self.days}

    def beyond(self, sentences: int) -> str:
        """What does not fit an article of ``sentences`` sentences ('' when all does)."""
        values = [self.reviewed, self.tagged, self.none_apply, *self.labels.values()]
        if max(values) > sentences or sum(self.days.values()) > self.reviewed:
            return "an annotator's counts are more than its sentences"
        return ""


def day_of(stamp: str) -> str:
    """The UTC day of an ISO stamp ('' when it is not one)."""
    day = stamp[:10]
    return day if _DAY.match(day) else ""


def by_annotator(annotations: Iterable[SentenceAnnotation]) -> dict[str, AnnotatorCounts]:
    """Counts per annotator of placed annotations (orphans are not counted here)."""
    result: dict[str, AnnotatorCounts] = {}
    for a in annotations:
        c = result.get(a.annotator)
        if c is None:
            c = result[a.annotator] = AnnotatorCounts(0, 0, 0, {}, {})
        for label in a.labels:
            c.labels[label] = c.labels.get(label, 0) + 1
        reviewed = a.state is ReviewState.REVIEWED
        c.tagged += bool(a.labels)
        if reviewed:
            c.reviewed += 1
            c.none_apply += not a.labels
            if day := day_of(a.updated_at or a.created_at):
                c.days[day] = c.days.get(day, 0) + 1
    # An annotator with only unreviewed notes said nothing that counts.
    return {name: c for name, c in result.items() if c.reviewed or c.tagged}
