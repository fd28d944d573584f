"""The whole-article check of an article file, at C speed for the usual good file.

``shapes.article_problem`` walks every number of a 20,000-sentence article in Python
(~20 ms, on the way to the reader's first screen). Here msgspec checks the types in
one C call and the ranges are a few min/max/map passes; a file that fails any of them
goes through ``article_problem``, so what is refused and every message stay the same.
"""

from __future__ import annotations

from operator import le

import msgspec

from annotations.shapes import article_problem


class _Body(msgspec.Struct, gc=False):
    """The fields ``article_problem`` checks; msgspec refuses a bool or a float as int."""

    text: str
    sentences: list[int]
    entity_labels: list[str]
    entities: list[int]
    id: str = ""
    title: str = ""
    source: str = ""
    published: str = ""
    source_path: str = ""


def spans_fit(flat: list[int], size: int) -> bool:
    """Every (start, end, _) triple of ``flat`` has 0 <= start <= end <= size."""
    starts, ends = flat[0::3], flat[1::3]
    return not flat or (min(starts) >= 0 and max(ends) <= size and all(map(le, starts, ends)))


def article_file_problem(tables: dict | None) -> str:
    """'' when an article file holds a whole article; else ``article_problem``'s answer."""
    try:
        body = msgspec.convert((tables or {}).get("article", {}).get("1"), _Body)
    except (msgspec.ValidationError, AttributeError, TypeError):
        return article_problem(tables)
    sentences, entities, size = body.sentences, body.entities, len(body.text)
    good = (len(sentences) % 3 == 0 and len(entities) % 3 == 0
            and spans_fit(sentences, size) and set(sentences[2::3]) <= {0, 1}
            and spans_fit(entities, size)
            and (not entities or (min(entities[2::3]) >= 0
                                  and max(entities[2::3]) < len(body.entity_labels))))
    return "" if good else article_problem(tables)
