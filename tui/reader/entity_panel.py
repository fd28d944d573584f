"""The reader's entity panel: the article's entities by type, with how often each occurs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.errors import UserError
from annotations.model import Article
from annotations.store import Store
from tui.safe_text import untrusted


class EntityPanel(OptionList):
    """Hidden until toggled. Choosing a type posts ``EntityTypeToggled``; choosing an entity
    posts ``EntityChosen``. The screen owns what is highlighted and passes it down."""

    class EntityChosen(Message):
        def __init__(self, label: str, text: str) -> None:
            super().__init__()
            self.label = label
            self.text = text

    class EntityTypeToggled(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.display = False

    def show_entities(self, article: Article, colours: Mapping[str, str],
                      shown: Collection[str],
                      corrected: Mapping[tuple[str, str], int] | None = None) -> None:
        """List ``article``'s entities, most frequent type first; ``shown`` types get ◉;
        ``corrected`` (text, type) -> mentions a rule corrected, shown as "✎ k"."""
        corrected = corrected or {}
        counts: dict[str, Counter] = {}
        for e in article.entities:
            counts.setdefault(e.label, Counter())[article.text[e.start:e.end]] += 1
        highlighted = self.highlighted
        self.clear_options()
        for label in sorted(counts, key=lambda x: -sum(counts[x].values())):
            colour = colours.get(label, "")
            mark = "◉" if label in shown else "○"
            # Entity types and texts come from the article (and spaCy): untrusted.
            header = (untrusted(f"{mark} {label} ", f"bold {colour}" if colour else "bold")
                      + Content.styled(f"({sum(counts[label].values())})", "dim"))
            self.add_option(Option(header, id=f"type:{label}"))
            for text, n in counts[label].most_common():
                fixed = corrected.get((text, label), 0)
                self.add_option(Option(Content("   ") + untrusted(text) +
                                       Content.styled(f" ×{n}", "dim") +
                                       (Content.styled(f" ✎{fixed}", "italic")
                                        if fixed else Content("")),
                                       id=f"entity:{label}:{text}"))
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("type:"):
            self.post_message(self.EntityTypeToggled(option_id[5:]))
            return
        _, label, text = option_id.split(":", 2)
        self.post_message(self.EntityChosen(label, text))


def corrected_counts(store: Store, article_id: str) -> dict[tuple[str, str], int]:
    """(text, type) -> mentions in the article that an entity rule corrected."""
    from annotations.entity_apply import apply_rules
    from annotations.entity_index import corrected_mentions
    from annotations.entity_overlay import rule_set

    try:
        model = store.load_article(article_id, corrected=False)
    except UserError:
        return {}
    return dict(corrected_mentions(model, apply_rules(model, rule_set(store.root))))
