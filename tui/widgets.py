"""Small display helpers (untrusted text goes through tui.safe_text)."""

from __future__ import annotations


def progress_bar(done: int, total: int, width: int = 10) -> str:
    if total <= 0:
        return "·" * width
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


def plural(count: int, word: str, many: str = "") -> str:
    """'1 article', '2 articles' ("match" → "matches" with many="matches")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
