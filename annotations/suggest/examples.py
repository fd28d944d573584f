"""What a person tagged, as training examples for the suggester."""

from __future__ import annotations

from annotations.model import ReviewState
from annotations.store import Store
from annotations.suggest.engine import Example


def reviewed_examples(store: Store) -> list[Example]:
    """Every reviewed sentence in the library with its confirmed labels (none = negative)."""
    examples = []
    for summary in store.summaries():
        placed = store.annotations(summary.id)
        for annotation in placed.values():
            if annotation.state is ReviewState.REVIEWED:
                examples.append(Example(annotation.text, frozenset(annotation.labels)))
    return examples
