"""What the reader shows while adjudicating (issue 12), under the article: the gutter's
key (which column group is whose) and, for the cursor's sentence, what each annotator
said and the gold decision. Annotator names and labels come from files: only through
``untrusted``."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from annotations.adjudication import Adjudication, Labels
from annotations.model import ReviewState, SentenceAnnotation
from tui.article_view import GUTTER_ANNOTATORS
from tui.safe_text import untrusted

KEY_NAME_WIDTH = 24  # cells of a name in the gutter's key; the line below has it whole


def annotator_name(name: str) -> Content:
    # A home layer whose records name nobody (written before layers existed).
    return untrusted(name, "bold") if name else Content.styled("(no name)", "bold")


def gutter_key(adjudication: Adjudication) -> Content:
    """"Adjudicating · gutter: ana │ ben │ ≠=★ │ gold · 2 of 5 disputes open · D leaves":
    the names first, so that a narrow terminal still shows whose column group is whose."""
    pieces = [Content.styled("Adjudicating", "bold reverse"), Content(" gutter: ")]
    shown = adjudication.annotators[:GUTTER_ANNOTATORS]
    for name in shown:  # cut short: one long name would push the others off the line
        pieces += [annotator_name(name).truncate(KEY_NAME_WIDTH, ellipsis=True),
                   Content(" │ ")]
    if len(adjudication.annotators) > len(shown):
        pieces.append(Content(f"+{len(adjudication.annotators) - len(shown)} (line below) │ "))
    open_ = len(adjudication.open_disputes())
    pieces.append(Content(f"≠=★ │ gold · {open_} of {len(adjudication.disputes)} disputes "
                          "open · keys write gold, D leaves"))
    return Content("").join(pieces)


def said_labels(labels: Labels | None, colours: dict[str, str]) -> Content:
    if labels is None:
        return Content.styled("not reviewed", "dim")
    if not labels:
        return Content("none apply")
    return Content(" ").join(untrusted(label, f"bold {colours.get(label, '')}")
                             for label in labels)


def cursor_line(adjudication: Adjudication, index: int | None,
                gold: SentenceAnnotation | None, proposed: Labels | None,
                colours: dict[str, str]) -> Content:
    """"sentence 3 (disputed) │ gold: … │ ana: trade · ben: defence · cleo: not reviewed":
    the decision first, so that neither many annotators nor long names push it out of
    sight (the line wraps, app.tcss, and what is past its last line is cut)."""
    if index is None:
        return Content("")
    verdict = adjudication.verdict(index)
    word = ("disputed" if verdict.disputed else "agreed" if verdict.agreed else
            "one review" if len(verdict.reviews) == 1 else "nobody reviewed it")
    pieces = [Content(f"sentence {index} ({word}) │ gold: ")]
    if gold is not None and gold.state is ReviewState.REVIEWED:
        pieces.append(said_labels(tuple(gold.labels), colours))
        pieces.append(Content(" ★ by ") + annotator_name(gold.annotator))
    elif proposed is not None:
        pieces += [Content.styled("majority ", "italic"),
                   said_labels(proposed, colours).stylize("italic"),
                   Content.styled(" (⏎ confirms)", "dim")]
    elif verdict.disputed:
        pieces.append(Content("no majority (a tie): choose the labels, or 0 for none apply"))
    else:
        pieces.append(Content.styled("not decided", "dim"))
    separator = " │ "
    for name, labels in zip(adjudication.annotators, verdict.said, strict=True):
        pieces += [Content(separator), annotator_name(name), Content(": "),
                   said_labels(labels, colours)]
        separator = " · "
    return Content("").join(pieces)


class AdjudicationLine(Static):
    """The cursor's sentence as the annotators and the gold layer have it; hidden when
    not adjudicating (app.tcss)."""
