"""Which sentences the reader shows and steps through: filters, search hits, mentions.

Plain functions of the article and its annotations (no Textual), so the screen only
decides what to do with the result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from annotations.model import Article, ReviewState, SentenceAnnotation


def filter_name(key: str) -> str:
    """What a filter key ("all", "unreviewed", "label:trade", …) means, for the user."""
    if key == "all":
        return "all sentences"
    if key == "unreviewed":
        return "unreviewed"
    if key == "untagged":
        return "reviewed, none apply"
    if key == "disputed":
        return "disputed (annotators disagree)"
    if key == "disputed-open":
        return "disputed, not adjudicated yet"
    if key.startswith("label:"):
        return f"tagged {key[6:]}"
    if key.startswith("entity:"):
        return f"mentioning {key[7:]}"
    return key


def filtered(article: Article, annotations: dict[int, SentenceAnnotation], key: str,
             entity_label: str = "", disputed: Collection[int] = frozenset()) -> list[int]:
    """The sentences ``key`` keeps, with the headings that have something under them.

    ``entity_label`` is the type of the entity an "entity:" filter names; ``disputed``
    the sentences the annotators disagree on (adjudicating: ``annotations`` is gold).
    """
    mentioned: set[int] = set()
    if key.startswith("entity:") and entity_label:
        mentioned = set(sentences_mentioning(article, entity_label, key[7:]))

    def keep(index: int) -> bool:
        a = annotations.get(index)
        if key == "unreviewed":
            return a is None or a.state is ReviewState.UNREVIEWED
        if key == "untagged":
            return a is not None and a.state is ReviewState.REVIEWED and not a.labels
        if key == "disputed":
            return index in disputed
        if key == "disputed-open":
            return index in disputed and (a is None or a.state is ReviewState.UNREVIEWED)
        if key.startswith("label:"):
            return a is not None and key[6:] in a.labels
        if key.startswith("entity:"):
            # The sentences the entity panel counts ("Mention 1 of 2"), not every
            # sentence containing the text ("Estonia" is in "Estonian parliament").
            return index in mentioned
        return True

    sentences = article.sentences
    chosen = [s.index for s in sentences if s.heading or keep(s.index)]
    # Headings with nothing under them are left out.
    return [i for n, i in enumerate(chosen) if not sentences[i].heading or (
        n + 1 < len(chosen) and not sentences[chosen[n + 1]].heading)]


def sentences_with(article: Article, visible: Iterable[int],
                   spans: list[tuple[int, int]]) -> list[int]:
    """The visible sentences that overlap one of the (search match) spans, in order."""
    result = []
    j = 0
    ordered = sorted(spans)
    for index in visible:
        s = article.sentences[index]
        while j < len(ordered) and ordered[j][1] <= s.start:
            j += 1
        if j < len(ordered) and ordered[j][0] < s.end:
            result.append(index)
    return result


def sentences_mentioning(article: Article, label: str, text: str) -> list[int]:
    """Sentences with an entity of this type and exactly this text, in order."""
    grouped = article.entities_by_sentence()
    return [index for index, entities in sorted(grouped.items())
            if any(e.label == label and article.text[e.start:e.end] == text
                   for e in entities)]
