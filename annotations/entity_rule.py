"""One entity rule ("TEXT is TYPE", or "TEXT is not an entity") and the checks of its
text and type name: apart from ``annotations.entity_rules`` (the rules file) so that the
pydantic record check (``annotations.entity_rule_record``) and the overlay can use them
without importing the file's reader."""

from __future__ import annotations

from dataclasses import dataclass

from annotations.text import LONE_SURROGATE

MAX_RULE_TEXT = 200  # longer than any name; a "text" this long is a mistake
LABEL_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$"


def text_problem(text: str) -> str:
    """Why ``text`` cannot be a rule's text ("" when it can)."""
    if not text.strip():
        return "the text is empty"
    if text != text.strip():
        return "the text starts or ends with a space"
    if len(text) > MAX_RULE_TEXT:
        return f"the text is longer than {MAX_RULE_TEXT} characters"
    if any(c in text for c in "\n\r\x00"):
        return "the text holds a line break (an entity never crosses one)"
    if LONE_SURROGATE.search(text):  # argv bytes that are not UTF-8: no file can hold it
        return "the text holds a character that is not valid UTF-8"
    return ""


@dataclass(frozen=True, slots=True)
class Rule:
    text: str
    label: str | None  # None: drop
    article: str | None = None
    index: int | None = None
    created_at: str = ""

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """A rule replaces the one with the same text and scope."""
        return self.text, self.article, self.index

    @property
    def scope(self) -> str:
        if self.article is None:
            return "everywhere"
        if self.index is None:
            return f"article {self.article}"
        return f"article {self.article} sentence {self.index}"

    def record(self) -> dict:
        return {"text": self.text, "label": self.label, "article": self.article,
                "index": self.index, "created_at": self.created_at}
