"""A suggestion becomes a person's annotation only when the person confirms it.

The reader shows suggested labels on a sentence nobody has labelled yet; Enter confirms
exactly them and a label key starts from them. Both go through ``TaggingSession`` (so
undo and redo work as for any change), inside the article's transaction: if another
process labelled the sentence since the reader last looked, the key does what it does
on a labelled sentence instead of overwriting that newer change.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.config import Config
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.session import TaggingSession
from annotations.tagging import TagChange


def open_to_suggestion(annotation: SentenceAnnotation | None) -> bool:
    """Nobody has said anything about the sentence's labels (a note alone does not count)."""
    return annotation is None or (annotation.state is ReviewState.UNREVIEWED
                                  and not annotation.labels)


def toggled(config: Config, suggested: Sequence[str], label: str) -> tuple[str, ...]:
    """The suggested labels with ``label`` switched, in the configured order."""
    names = [n for n in suggested if n != label] if label in suggested else [*suggested, label]
    return tuple(config.order_labels(names))


def confirm_suggested(session: TaggingSession, article: Article, index: int,
                      labels: Sequence[str]) -> SentenceAnnotation | None:
    """Reviewed with exactly ``labels`` (none: none apply), the set the reader showed."""
    with session.store.annotations_of(article.id) as current:
        if not open_to_suggestion(session.placed(current).get(index)):
            return session.confirm(article, index)  # labelled elsewhere since: as it is
        change = (TagChange(article.id, index, labels=tuple(labels)) if labels
                  else TagChange(article.id, index, none=True))
        return session.change(article, index, change)


def toggle_suggested(session: TaggingSession, article: Article, index: int,
                     suggested: Sequence[str], label: str) -> SentenceAnnotation | None:
    """``label`` switched in the suggested set and the sentence reviewed with the result.

    When that leaves no label, nothing is written (the sentence stays unreviewed, as a
    label key that removes the last label leaves it); the reader then stops showing the
    suggestion, so the next Enter means none apply.
    """
    with session.store.annotations_of(article.id) as current:
        stored = session.placed(current).get(index)
        if not open_to_suggestion(stored):
            return session.toggle_label(article, index, label)
        labels = toggled(session.config, suggested, label)
        if not labels:
            return stored
        return session.change(article, index, TagChange(article.id, index, labels=labels))
