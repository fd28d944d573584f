"""The reader's entity panel: the article's entities by type, with how often each occurs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Article
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
                      shown: Collection[str]) -> None:
        """List ``article``'s entities, most frequent type first; ``shown`` types get ◉."""
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
                self.add_option(Option(Content("   ") + untrusted(text) +
                                       Content.styled(f" ×{n}", "dim"),
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
