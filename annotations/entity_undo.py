"""An entity correction on the reader's undo stack: the rules about one text before and
after it, so undo puts back exactly what was there (a rule replaced, or none)."""

from __future__ import annotations

from dataclasses import dataclass

from annotations.entity_corrections import restore
from annotations.entity_rule import Rule
from annotations.store import Store


@dataclass(frozen=True, slots=True)
class RuleEdit:
    text: str
    before: tuple[Rule, ...]
    after: tuple[Rule, ...]
    article_id: str  # where the reader made it

    def revert(self, store: Store) -> bool:
        """False (nothing changed) when the rules about the text changed elsewhere since."""
        return restore(store, self.before, self.text, expected=self.after)

    def reapply(self, store: Store) -> bool:
        return restore(store, self.after, self.text, expected=self.before)
