"""What a person tagged, as training examples for the suggester."""

from __future__ import annotations

from annotations.model import ReviewState
from annotations.store import Store
from annotations.suggest.engine import Example


def reviewed_examples(store: Store) -> list[Example]:
    """Every reviewed sentence in the library with its confirmed labels (none = negative).

    Only the articles whose kept counts say something was reviewed are read: retraining
    after each tag must not open 20,000 annotation files when a few hundred hold tags.
    """
    examples = []
    counts = store.kept_counts()
    for summary in store.summaries():
        kept = counts.get(summary.id)
        if kept is not None and not kept.reviewed:
            continue
        placed = store.annotations(summary.id)
        for annotation in placed.values():
            if annotation.state is ReviewState.REVIEWED:
                examples.append(Example(annotation.text, frozenset(annotation.labels)))
    return examples
