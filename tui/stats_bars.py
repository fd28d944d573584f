"""What the stats screen draws, as plain values and Content: bars, day series, the
articles worth showing. No widgets here; tui/screens/stats.py places them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from textual.content import Content

from annotations.stats import ProgressRow
from tui.safe_text import untrusted

BAR_WIDTH = 30
ARTICLES_SHOWN = 20  # the library can hold 20,000: the current one and the nearest to done
SPARK_DAYS = 30


def bar(value: float, most: float, width: int = BAR_WIDTH, style: str = "") -> Content:
    """A bar of ``value`` out of ``most``, in whole and eighth blocks."""
    eighths = round(width * 8 * value / most) if most > 0 else 0
    full, part = divmod(max(0, min(eighths, width * 8)), 8)
    text = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    return Content(text.ljust(width)).stylize(style) if style else Content(text.ljust(width))


def progress_bar(done: int, total: int, width: int = 20) -> Content:
    """``██████░░░░`` for done out of total."""
    filled = round(width * done / total) if total else 0
    return Content.assemble(("█" * filled, "$success"), ("░" * (width - filled), "$panel"))


def label_lines(name: str, labels: dict[str, int], most: int,
                colours: dict[str, str]) -> list[Content]:
    """An annotator's label distribution: one bar per label, scaled to ``most``."""
    lines = [untrusted(name or "(no name)", "bold")]
    width = max((len(label) for label in labels), default=0)
    for label, n in labels.items():
        colour = colours.get(label, "")
        lines.append(Content.assemble(
            "  ", untrusted(label.ljust(width)), " ", bar(n, most, style=colour), f" {n}"))
    return lines


def day_series(days: dict[str, int], last: str, count: int = SPARK_DAYS) -> list[float]:
    """Reviewed per day for the ``count`` days up to ``last`` (missing days are 0)."""
    end = date.fromisoformat(last)
    return [float(days.get((end - timedelta(days=k)).isoformat(), 0))
            for k in range(count - 1, -1, -1)]


def chosen_articles(rows: Sequence[ProgressRow], current: str | None,
                    limit: int = ARTICLES_SHOWN) -> list[ProgressRow]:
    """The current article first, then those in progress nearest to done, then the
    rest; at most ``limit``."""
    first = [r for r in rows if r.id == current]
    others = sorted((r for r in rows if r.id != current),
                    key=lambda r: (not 0 < r.reviewed < r.sentences,
                                   -r.progress, -r.reviewed))
    return (first + others)[:limit]


def article_line(row: ProgressRow, current: bool) -> Content:
    return Content.assemble(
        ("▶ " if current else "  "), progress_bar(row.reviewed, row.sentences),
        f" {row.progress * 100:5.1f}% {row.reviewed:>5}/{row.sentences:<5} ",
        untrusted(row.title or row.id))
