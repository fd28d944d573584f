"""The reader's status line: progress, the sentence under the cursor, filter and search."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from annotations.model import ReviewState, SentenceAnnotation
from annotations.suggest.engine import Suggestion
from tui.safe_text import untrusted
from tui.widgets import plural, progress_bar


@dataclass(frozen=True, slots=True)
class Status:
    """What the status line shows; the screen builds it, the line only draws it."""

    taggable: int
    annotations: dict[int, SentenceAnnotation]
    cursor: int | None
    label_colours: dict[str, str]
    filter_name: str = ""  # empty when every sentence is shown
    orphaned: int = 0
    search_query: str = ""
    matches: int = 0
    suggestion: Suggestion | None = None  # shown on the cursor's sentence (issue 10)


class StatusLine(Static):
    """One line of Content; labels, notes, filter names and queries come from files."""

    def show(self, status: Status) -> None:
        self.update(render_status(status))


def render_status(status: Status) -> Content:
    annotations = status.annotations
    reviewed = sum(1 for a in annotations.values() if a.state is ReviewState.REVIEWED)
    tagged = sum(1 for a in annotations.values() if a.labels)
    total = status.taggable
    parts: list[Content] = [Content(
        f"{progress_bar(reviewed, total)} {reviewed}/{total} reviewed · {tagged} tagged")]
    if status.cursor is not None:
        # One numbering: the index that `newstag show` prints and `newstag tag` takes.
        parts.append(Content(f" · sentence {status.cursor}"))
        annotation = annotations.get(status.cursor)
        if annotation and annotation.labels:
            parts.append(Content(" · "))
            for label in annotation.labels:
                # Labels may come from an import, not only from the config.
                colour = status.label_colours.get(label, "")
                parts.append(untrusted(label + " ", f"bold {colour}"))
        elif annotation and annotation.state is ReviewState.REVIEWED:
            parts.append(Content(" · none apply"))
        else:
            parts.append(Content(" · unreviewed"))
            if status.suggestion is not None:
                parts.append(render_suggestion(status.suggestion, status.label_colours))
        if annotation and annotation.note:
            parts.append(Content(" · note: ") + untrusted(annotation.note))
    if status.filter_name:
        parts.append(Content(" · filter: ") + untrusted(status.filter_name))
    if status.orphaned:
        parts.append(Content(f" · {status.orphaned} orphaned (sentence gone; kept in exports)"))
    if status.search_query:
        parts.append(Content(f" · {plural(status.matches, 'match', 'matches')} for ") +
                     untrusted(repr(status.search_query)))
    return Content("").join(parts)


def render_suggestion(suggestion: Suggestion, colours: dict[str, str]) -> Content:
    """" · suggested: trade 0.83 diplomacy 0.61 (⏎ confirms)", or the best score when
    nothing reaches the threshold; italic, as the gutter shows a guess."""
    parts = [Content(" · suggested: ")]
    for label in suggestion.labels:
        parts.append(untrusted(label, f"italic {colours.get(label, '')}"))
        parts.append(Content(f" {suggestion.scores.get(label, 0.0):.2f} "))
    if not suggestion.labels:
        parts.append(Content.styled("none apply", "italic"))
        if suggestion.scores:
            best = max(suggestion.scores, key=suggestion.scores.__getitem__)
            parts.append(Content(" (best ") + untrusted(best) +
                         Content(f" {suggestion.scores[best]:.2f}) "))
        else:
            parts.append(Content(" "))
    parts.append(Content.styled("(⏎ confirms)", "dim"))
    return Content("").join(parts)
