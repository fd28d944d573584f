"""Every distinct entity text of the corpus (``newstag entities``): its type, how often it
occurs, in how many articles, and how many of those mentions a rule corrected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.entity_apply import Applied, RuleSet, apply_rules
from annotations.entity_overlay import rule_set
from annotations.model import Article
from annotations.store import Store


@dataclass(slots=True)
class EntityRow:
    text: str
    label: str
    mentions: int = 0
    articles: set[str] = field(default_factory=set)
    corrected: int = 0

    def record(self) -> dict[str, object]:
        return {"text": self.text, "label": self.label, "mentions": self.mentions,
                "articles": len(self.articles), "corrected": self.corrected}


def corrected_mentions(article: Article, applied: Applied) -> Counter:
    """(text, label) -> mentions that differ from the model's entity there."""
    model = set(article.entities)
    counts: Counter = Counter()
    for e in applied.entities:
        if (e.start, e.end) in applied.by_rule and e not in model:
            counts[(article.text[e.start:e.end], e.label)] += 1
    return counts


def entity_rows(articles: Iterable[Article], rules: RuleSet, label: str | None = None,
                text: str | None = None) -> list[EntityRow]:
    """Rows for the model's articles (``corrected=False``) with ``rules`` applied;
    ``label`` keeps one type, ``text`` the texts that contain it (any case)."""
    rows: dict[tuple[str, str], EntityRow] = {}
    needle = text.casefold() if text else None
    for article in articles:
        applied = apply_rules(article, rules)
        fixed = corrected_mentions(article, applied)
        for e in applied.entities:
            key = (article.text[e.start:e.end], e.label)
            if label is not None and e.label != label:
                continue
            if needle is not None and needle not in key[0].casefold():
                continue
            row = rows.get(key)
            if row is None:
                row = rows[key] = EntityRow(*key, corrected=fixed[key])
            elif article.id not in row.articles:
                row.corrected += fixed[key]
            row.mentions += 1
            row.articles.add(article.id)
    return sorted(rows.values(), key=lambda r: (-r.mentions, r.text, r.label))


def corpus_entities(store: Store, label: str | None = None,
                    text: str | None = None) -> list[EntityRow]:
    articles = (store.load_article(s.id, corrected=False) for s in store.summaries())
    return entity_rows(articles, rule_set(store.root), label, text)
