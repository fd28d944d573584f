"""Small display helpers (untrusted text goes through tui.safe_text)."""

from __future__ import annotations


def progress_bar(done: int, total: int, width: int = 10) -> str:
    if total <= 0:
        return "·" * width
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)
