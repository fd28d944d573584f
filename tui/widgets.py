"""Small helpers for showing untrusted text safely."""

from __future__ import annotations

from textual.content import Content

from annotations.text import visible_controls


def safe(text: str, style: str = "") -> Content:
    """Untrusted text as Content: never parsed as markup, control characters made visible."""
    content = Content(visible_controls(text).replace("\t", " "), strip_control_codes=False)
    return content.stylize(style) if style else content


def progress_bar(done: int, total: int, width: int = 10) -> str:
    if total <= 0:
        return "·" * width
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)
