"""The article as a scrolling document that draws only the lines on screen.

Modelled on Toolong's log view: a ScrollView using the Line API, with the
layout (which sentence sits on which line) computed once per width and each
sentence's rendered lines kept in an LRU cache keyed by everything they depend on
(sentence, its place and width, cursor, labels, state, note, highlights, search,
theme), so a stale line cannot be served whatever is forgotten to be invalidated.
Article text is untrusted: it becomes ``Content`` directly, never markup.

A long article's first screen does not wait for the whole layout: the first layout
after ``show_article`` covers a window of sentences around the cursor (their
screen-safe text, entities and wrapping), the screen is drawn from it, and the rest
is laid out right after the first paint (issue 9: at 20,000 sentences the whole
layout was ~30 ms of the first screen). Anything that needs the whole document
(a move, a search, a page, a click, a filter) completes the layout first, so no key
ever sees the window: ``_whole()`` is the only way to the layout outside drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.cache import LRUCache
from textual.color import Color
from textual.content import Content, Span
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from annotations.adjudication import Adjudication
from annotations.article_start import ArticleStart
from annotations.config import Config
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.suggest.engine import Suggestion
from annotations.suggest.reviewing import open_to_suggestion
from annotations.text import printable
from tui.layout import DocumentLayout, build_layout

STRIP_CACHE_SIZE = 400
# The first layout covers this many screens of sentences before and after the cursor;
# an article of fewer than WINDOW_MIN sentences is laid out whole at once.
WINDOW_SCREENS = 2
WINDOW_MIN = 1000
# Search hits: black on gold, bold, the same in every theme, light or dark; gold #ffd700
# is exactly colour 220 of the 256-colour palette (the old "$warning 60%" came out as 16
# on 234, nearly invisible). Not a component class: a partial visual style drops an
# opaque background (Textual 8.2 blends it with weight 1 - alpha = 0).
MATCH_STYLE = Style(background=Color(255, 215, 0), foreground=Color(0, 0, 0), bold=True)
# Adjudicating, the gutter has a column group per annotator: this many at most (the
# status line names every annotator of the cursor's sentence).
GUTTER_ANNOTATORS = 6


@dataclass(frozen=True, slots=True)
class Highlights:
    entities: bool = True
    hidden_types: frozenset[str] = frozenset()


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """Sentences with entity highlights, a cursor, and label markers in a gutter."""

    COMPONENT_CLASSES = {
        "article-view--cursor",
        "article-view--heading",
        "article-view--gutter",
        "article-view--unreviewed",
        "article-view--reviewed",
        "article-view--suggested",
        "article-view--disputed",
    }

    DEFAULT_CSS = """
    ArticleView { background: $surface; overflow-x: hidden; overflow-y: scroll; }
    ArticleView > .article-view--cursor { background: $boost; text-style: none; }
    ArticleView:focus > .article-view--cursor { background: $primary 25%; }
    ArticleView > .article-view--heading { text-style: bold; color: $accent; }
    ArticleView > .article-view--gutter { color: $text-muted; }
    ArticleView > .article-view--unreviewed { color: $text-muted; }
    ArticleView > .article-view--reviewed { color: $success; }
    ArticleView > .article-view--suggested { color: $text-muted; text-style: italic; }
    ArticleView > .article-view--disputed { color: $warning; text-style: bold; }
    """

    class CursorMoved(Message):
        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.article: Article | None = None
        self._complete_later = True
        self.annotations: dict[int, SentenceAnnotation] = {}
        self.shown: list[int] = []
        self.cursor: int | None = None
        self.highlights = Highlights()
        self.matches: list[tuple[int, int]] = []
        # Screen-safe sentence texts, made when first needed (None until then).
        self._texts: list[str | None] = []
        self._layout: DocumentLayout | None = None
        # The layout is a window around the cursor until the first paint is done.
        self._window = False
        self._window_entities: list = []  # the window's entities, until they are grouped
        self._block_of: dict[int, int] = {}
        self._strips: LRUCache[tuple, list[Strip]] = LRUCache(STRIP_CACHE_SIZE)
        # Bumped by whatever changes every line (layout, highlights, search, theme).
        self._generation = 0
        self._pending_cursor: int | None = None
        self._entities_by_sentence: dict | None = {}
        self._start: ArticleStart | None = None  # entities still in the file (show_article)
        self._label_styles = {
            label.name: Style(foreground=Color.parse(label.colour), bold=True)
            for label in config.labels
        }
        self._entity_styles = {
            name: Style(foreground=Color.parse(colour), underline=True)
            for name, colour in config.entities.items()
        }
        self._gutter_width = len(config.labels) + 3
        # Adjudicating (issue 12): the annotators' labels in the gutter, ``annotations``
        # the gold layer, and the majority proposal shown as a suggestion is.
        self.adjudication: Adjudication | None = None
        self._kept_dismissed: set[int] = set()
        # Suggested labels (issue 10): shown on sentences open to suggestion, never stored
        # until confirmed; ``dismissed`` are sentences whose suggestion the user undid.
        self.suggestions: dict[int, Suggestion] = {}
        self.dismissed: set[int] = set()
        # Not bold, italic and faint: a guess must not look like a confirmed label, in a
        # light theme or a dark one.
        self._suggested_styles = {
            label.name: Style(foreground=Color.parse(label.colour), italic=True, dim=True)
            for label in config.labels
        }

    # -- data ----------------------------------------------------------------
    def show_article(self, article: Article, annotations: dict[int, SentenceAnnotation],
                     cursor: int | None = None, start: ArticleStart | None = None,
                     complete_later: bool = True) -> None:
        """``start``: the article's entities are still in the file (annotations/
        article_start.py); the first window takes its own from it, and the owner calls
        ``article_finished`` before anything needs the whole article. ``complete_later``
        False: a long article's whole layout waits until a key needs it (a preview that
        grows a dozen times while spaCy works would lay out everything each time)."""
        self._complete_later = complete_later
        self.article = article
        self._start = start if start is not None and not start.finished else None
        self.annotations = annotations
        self._texts = [None] * len(article.sentences)
        self._entities_by_sentence = None  # grouped with the whole layout
        self.shown = list(range(len(article.sentences)))  # a sentence's index is its place
        self.matches = []
        self.cursor = None
        self._layout = None
        self._pending_cursor = cursor if cursor is not None else self.first_taggable()
        self._relayout(window=len(self.shown) >= WINDOW_MIN)

    def _text(self, index: int) -> str:
        """The sentence as it may reach the screen (same length, so offsets hold)."""
        text = self._texts[index]
        if text is None:
            assert self.article is not None
            text = self._texts[index] = printable(
                self.article.sentence_text(self.article.sentences[index]))
        return text

    def _entities_of(self, index: int) -> list:
        if self._entities_by_sentence is None:  # the window: only its own sentences
            assert self.article is not None
            sentence = self.article.sentences[index]
            return [e for e in self._window_entities
                    if e.start >= sentence.start and e.end <= sentence.end]
        return self._entities_by_sentence.get(index, [])

    def article_finished(self, article: Article) -> None:
        """The whole article, entities and all, in place of the ``start`` it was shown
        from: lines drawn without its entities are drawn again."""
        self.article = article
        self._start = None
        if not self._window:  # grouped (if at all) from the article without its entities
            self._entities_by_sentence = article.entities_by_sentence()
            self._generation += 1
            self.refresh()

    def _whole(self) -> DocumentLayout | None:
        """The layout of the whole document, finished now if only the window is laid out."""
        if self._window:
            self._complete_layout()
        return self._layout

    def set_visible(self, indexes: list[int]) -> None:
        """Show only these sentences (a filter); headings stay for orientation."""
        self.shown = indexes
        self._relayout()
        if self.cursor not in self._block_of:
            self.cursor = None
            self.move_to(self.first_taggable())
        else:
            self.scroll_to_cursor(center=True)

    def update_annotation(self, index: int, annotation: SentenceAnnotation | None) -> None:
        if annotation is None:
            self.annotations.pop(index, None)
        else:
            self.annotations[index] = annotation
        self._invalidate(index)

    def set_entities(self, article: Article) -> None:
        """Entities changed (a correction): repaint every line with the new ones."""
        self._whole()
        self.article = article
        self._entities_by_sentence = article.entities_by_sentence()
        self._generation += 1
        self.refresh()

    def suggestion_for(self, index: int | None) -> Suggestion | None:
        """The suggestion shown on sentence ``index``, if it shows one (adjudicating: the
        annotators' majority, on a sentence without a gold decision)."""
        if index is None or index in self.dismissed or \
                not open_to_suggestion(self.annotations.get(index)):
            return None
        if self.adjudication is not None:
            proposal = self.adjudication.verdict(index).proposal
            return Suggestion({}, proposal) if proposal is not None else None
        return self.suggestions.get(index)

    def set_adjudication(self, adjudication: Adjudication | None,
                         annotations: dict[int, SentenceAnnotation]) -> None:
        """Adjudicate (``annotations``: the gold layer) or, with None, stop (``annotations``:
        the annotator's own layer again); every line is drawn again."""
        if (self.adjudication is None) != (adjudication is None):
            # A proposal taken off and a model's suggestion taken off are not the same.
            self.dismissed, self._kept_dismissed = self._kept_dismissed, self.dismissed
        self.adjudication = adjudication
        self.annotations = annotations
        labels = len(self.config.labels)
        self._gutter_width = labels + 3 if adjudication is None else (
            min(len(adjudication.annotators), GUTTER_ANNOTATORS) * (labels + 1) + labels + 5)
        if self.article is None:
            return
        self._whole()
        self._relayout()
        self.scroll_to_cursor(center=True)

    def set_suggestions(self, updates: dict[int, Suggestion], clear: bool = False) -> None:
        """New suggestions for these sentences (``clear``: forget every other one)."""
        old = self.suggestions
        self.suggestions = dict(updates) if clear else {**old, **updates}
        for index in set(updates) | (set(old) if clear else set()):
            before, after = old.get(index), self.suggestions.get(index)
            if (before and before.labels) != (after and after.labels):
                self._invalidate(index)

    def set_dismissed(self, index: int, dismissed: bool) -> None:
        (self.dismissed.add if dismissed else self.dismissed.discard)(index)
        self._invalidate(index)

    def set_highlights(self, highlights: Highlights) -> None:
        self.highlights = highlights
        self._generation += 1
        self.refresh()

    def set_matches(self, matches: list[tuple[int, int]]) -> None:
        self.matches = matches
        self._generation += 1
        self.refresh()

    def notify_style_update(self) -> None:
        self._generation += 1  # a theme change restyles every line
        super().notify_style_update()

    # -- navigation ----------------------------------------------------------
    def taggable_visible(self) -> list[int]:
        if self.article is None:
            return []
        sentences = self.article.sentences
        return [i for i in self.shown if not sentences[i].heading]

    def first_taggable(self) -> int | None:
        if self.article is None:
            return None
        sentences = self.article.sentences  # the first, not a list of 20,000 (issue 9)
        return next((i for i in self.shown if not sentences[i].heading), None)

    def _step(self, direction: int) -> int | None:
        layout = self._whole()
        if self.article is None or layout is None:
            return None
        if self.cursor is None:
            return self.first_taggable()
        block = self._block_of.get(self.cursor, 0) + direction
        blocks = layout.blocks
        while 0 <= block < len(blocks):
            index = blocks[block]
            if not self.article.sentences[index].heading:
                return index
            block += direction
        return self.cursor

    def next_sentence(self) -> None:
        self.move_to(self._step(1))

    def previous_sentence(self) -> None:
        self.move_to(self._step(-1))

    def first_sentence(self) -> None:
        self.move_to(self.first_taggable())

    def last_sentence(self) -> None:
        items = self.taggable_visible()
        self.move_to(items[-1] if items else None)

    def page(self, direction: int) -> None:
        """Move the cursor a screen up or down."""
        layout = self._whole()
        if layout is None or self.cursor is None:
            return
        line = layout.first_line[self._block_of[self.cursor]]
        target = line + direction * max(1, self.size.height - 2)
        target = max(0, min(target, layout.total_lines - 1))
        index = self.sentence_at_line(target, direction)
        if index is not None:
            self.scroll_to(y=max(0, self.scroll_y + direction * max(1, self.size.height - 2)),
                           animate=False, immediate=True)
            self.move_to(index)

    def sentence_at_line(self, line: int, direction: int = 1) -> int | None:
        """The taggable sentence on or nearest a screen line."""
        layout = self._whole()
        if layout is None or self.article is None:
            return None
        import bisect

        block = max(0, bisect.bisect_right(layout.first_line, line) - 1)
        blocks = layout.blocks
        for step in (direction, -direction):
            b = block
            while 0 <= b < len(blocks):
                if not self.article.sentences[blocks[b]].heading:
                    return blocks[b]
                b += step
        return None

    def top_sentence(self) -> int | None:
        """The sentence on the view's first row (laid out ones only)."""
        layout = self._layout
        if layout is None or not layout.blocks:
            return None
        import bisect

        block = max(0, bisect.bisect_right(layout.first_line, self.scroll_offset.y) - 1)
        return layout.blocks[block]

    def scroll_sentence_to_top(self, index: int) -> None:
        """Scroll ``index`` to the first row, if it is laid out (a window may not hold it)."""
        if self._layout is not None and index in self._block_of:
            y = self._layout.first_line[self._block_of[index]]
            self.scroll_to(y=y, animate=False, immediate=True)

    def move_to(self, index: int | None, center: bool = False) -> None:
        self._whole()
        self._place_cursor(index, center)

    def _place_cursor(self, index: int | None, center: bool) -> None:
        previous = self.cursor
        if index is not None and index not in self._block_of:
            index = None
        self.cursor = index
        if previous is not None:
            self._invalidate(previous)
        if index is not None:
            self._invalidate(index)
            self.scroll_to_cursor(center=center)
        if previous != index:
            self.post_message(self.CursorMoved(index))

    def scroll_to_cursor(self, center: bool = False) -> None:
        if self._layout is None or self.cursor is None:
            return
        block = self._block_of[self.cursor]
        top = self._layout.first_line[block]
        height = len(self._layout.line_starts[block])
        view = max(1, self.size.height)
        if center:
            y = max(0, top - view // 3)
        elif top < self.scroll_y:
            y = top
        elif top + height > self.scroll_y + view:
            y = top + height - view
        else:
            return
        self.scroll_to(y=y, animate=False, immediate=True)

    # -- layout and rendering ------------------------------------------------
    def _text_width(self) -> int:
        return max(10, self.scrollable_content_region.width - self._gutter_width - 1)

    def _relayout(self, window: bool = False) -> None:
        """Lay out the shown sentences; ``window``: only those around the cursor for now,
        the rest after the first paint (the cursor must then be pending)."""
        self._window = False
        if self.article is None or not self.scrollable_content_region.width:
            self._window = window  # laid out on the first resize, once the width is known
            return
        shown = self.shown
        if window and self._pending_cursor is not None:
            around = self._pending_cursor  # the article just opened: shown is every index
            reach = WINDOW_SCREENS * max(1, self.size.height)
            shown = shown[max(0, around - reach):around + 2 * reach]
            first, last = self.article.sentences[shown[0]], self.article.sentences[shown[-1]]
            self._window_entities = (
                self._start.entities_within(first.start, last.end) if self._start is not None
                else [e for e in self.article.entities
                      if e.start >= first.start and e.end <= last.end])
            self._window = True
            if self._complete_later:
                self._complete_layout_later()
        elif self._entities_by_sentence is None:
            self._entities_by_sentence = self.article.entities_by_sentence()
            self._window_entities = []
        text = self._text
        self._layout = build_layout(_Texts(text), shown, self._gaps(shown), self._text_width())
        self._block_of = {index: b for b, index in enumerate(shown)}
        self._generation += 1
        self.virtual_size = Size(self.scrollable_content_region.width, self._layout.total_lines)
        self.refresh()
        if self._pending_cursor is not None:
            index, self._pending_cursor = self._pending_cursor, None
            self._place_cursor(index, center=True)

    def _gaps(self, shown: list[int]) -> list[bool]:
        """Per shown sentence: a blank line before it (a heading, a new paragraph)."""
        assert self.article is not None
        sentences, text = self.article.sentences, self.article.text
        gaps = []
        previous = None
        for i in shown:
            s = sentences[i]
            gaps.append(s.heading or (previous is not None
                                      and "\n" in text[previous.end:s.start]))
            previous = s
        return gaps

    def _complete_layout_later(self) -> None:
        self.call_after_refresh(self._complete_layout)  # once the first screen is drawn

    def _complete_layout(self) -> None:
        """Lay out the whole document, keeping the cursor on the same screen row."""
        if not self._window or self._layout is None:
            return
        row = None
        if self.cursor is not None and self.cursor in self._block_of:
            row = self._layout.first_line[self._block_of[self.cursor]] - self.scroll_offset.y
        self._relayout()
        if row is not None and self.cursor is not None and self._layout is not None:
            top = self._layout.first_line[self._block_of[self.cursor]]
            self.scroll_to(y=max(0, top - row), animate=False, immediate=True)

    @property
    def cursor_to_be(self) -> int | None:
        """The cursor; before the article's first layout, the sentence it will be on."""
        return self._pending_cursor if self.cursor is None else self.cursor

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is None:
            self._relayout(window=self._window)
            self.scroll_to_cursor()
        elif self._layout.width != self._text_width():
            self._whole()
            self._relayout()
            self.scroll_to_cursor()
        elif self.adjudication is not None:
            # The adjudication line below wraps (app.tcss): when it takes a row from the
            # article as the cursor moves, the cursor's sentence stays in sight.
            self.scroll_to_cursor()

    def _invalidate(self, index: int) -> None:
        """Repaint a sentence's lines (its cache key has changed already)."""
        if self._layout is None or index not in self._block_of:
            return
        block = self._block_of[index]
        # ScrollView.refresh_lines takes document lines and subtracts the scroll offset
        # itself (passing screen lines refreshed nothing once scrolled: a stale gutter).
        self.refresh_lines(self._layout.first_line[block], len(self._layout.line_starts[block]))

    def _line_key(self, block: int, index: int, width: int) -> tuple:
        annotation = self.annotations.get(index)
        state = ((tuple(annotation.labels), annotation.state, bool(annotation.note))
                 if annotation else None)
        suggested = self.suggestion_for(index)
        return (index, block, width, index == self.cursor and self.has_focus,
                index == self.cursor, state, self._generation,
                suggested.labels if suggested is not None else None)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.visual_style
        if self._layout is None and self.article is not None and width:
            # The first paint asks for lines once the widget has its size; the Resize event
            # comes after that paint. Laying the article out now puts it in the first frame
            # (on_resize drew it two frames later, issue 9).
            self._relayout(window=self._window)
            self.scroll_to_cursor()
        if self._layout is None:
            return Strip.blank(width, base.rich_style)
        located = self._layout.block_at_line(self.scroll_offset.y + y)
        if located is None:
            return Strip.blank(width, base.rich_style)
        block, part = located
        index = self._layout.blocks[block]
        key = self._line_key(block, index, width)
        strips = self._strips.get(key)
        if strips is None:
            strips = self._render_sentence(block, index, width)
            self._strips[key] = strips
        return strips[part]

    def _render_sentence(self, block: int, index: int, width: int) -> list[Strip]:
        assert self.article is not None and self._layout is not None
        sentence = self.article.sentences[index]
        text = self._text(index)
        spans: list[Span] = []
        if sentence.heading:
            spans.append(Span(0, len(text), self.get_visual_style("article-view--heading",
                                                                  partial=True)))
        elif self.highlights.entities:
            for e in self._entities_of(index):
                style = self._entity_styles.get(e.label)
                if style is not None and e.label not in self.highlights.hidden_types:
                    spans.append(Span(e.start - sentence.start, e.end - sentence.start, style))
        if self.matches:
            match_style = MATCH_STYLE
            for start, end in self.matches:
                if start < sentence.end and end > sentence.start:
                    spans.append(Span(max(0, start - sentence.start),
                                      min(len(text), end - sentence.start), match_style))
        content = Content(text, spans, strip_control_codes=False)
        is_cursor = index == self.cursor
        line_style = (self.get_visual_style("article-view--cursor", partial=True)
                      if is_cursor else None)
        starts = self._layout.line_starts[block]
        parts = content.divide(starts[1:]) if len(starts) > 1 else [content]
        base = self.visual_style
        strips = []
        for n, piece in enumerate(parts):
            piece = piece.rstrip()
            gutter = self._gutter(index, sentence.heading, first=(n == 0), cursor=is_cursor)
            line = gutter + piece
            if line_style is not None:
                line = line.pad_right(max(0, width - line.cell_length))
                # Under the spans: a search hit on the cursor's sentence keeps its colours.
                line = line.stylize_before(line_style, self._gutter_width)
            segments = line.render_segments(base)
            strip = Strip(segments, line.cell_length).extend_cell_length(width, base.rich_style)
            strips.append(strip.crop(0, width))
        return strips

    def _gutter(self, index: int, heading: bool, first: bool, cursor: bool) -> Content:
        marker = "▶" if cursor and first else ("▌" if cursor else " ")
        gutter = Content(marker, [Span(0, 1, self.get_visual_style(
            "article-view--reviewed", partial=True))] if cursor else [])
        if heading or not first:
            return gutter + Content(" " * (self._gutter_width - 1))
        if self.adjudication is not None:
            gutter += self._annotators_gutter(index)
        return gutter + self._marks(index)

    def _annotators_gutter(self, index: int) -> Content:
        """Each annotator's marks (a blank group: not reviewed; · a label not chosen), then
        ★ adjudicated, ≠ disputed or = agreed."""
        assert self.adjudication is not None
        verdict = self.adjudication.verdict(index)
        muted = self.get_visual_style("article-view--gutter", partial=True)
        pieces = []
        for said in verdict.said[:GUTTER_ANNOTATORS]:
            for label in self.config.labels:
                if said is None:
                    pieces.append(Content(" "))
                elif label.name in said:
                    pieces.append(Content(label.mark, [Span(0, 1,
                                                            self._label_styles[label.name])]))
                else:
                    pieces.append(Content("·", [Span(0, 1, muted)]))
            pieces.append(Content(" "))
        mark = self.adjudication.mark(index)
        style = self.get_visual_style("article-view--reviewed" if mark in "★=" else
                                      "article-view--disputed", partial=True)
        pieces.append(Content(mark, [Span(0, 1, style)]) + Content(" "))
        return Content("").join(pieces)

    def _marks(self, index: int) -> Content:
        """The sentence's label marks and its state (✓ reviewed, ✎ a note, ~ suggested)."""
        gutter = Content("")
        annotation = self.annotations.get(index)
        labels = set(annotation.labels) if annotation else set()
        suggestion = self.suggestion_for(index)
        suggested = set(suggestion.labels) if suggestion is not None else set()
        for label in self.config.labels:
            if label.name in suggested:
                gutter += Content(label.mark, [Span(0, 1, self._suggested_styles[label.name])])
            elif label.name in labels:
                gutter += Content(label.mark, [Span(0, 1,
                                                                self._label_styles[label.name])])
            else:
                gutter += Content("·", [Span(0, 1, self.get_visual_style(
                    "article-view--gutter", partial=True))])
        if annotation and annotation.state is ReviewState.REVIEWED:
            state = Content("✓", [Span(0, 1, self.get_visual_style("article-view--reviewed",
                                                                   partial=True))])
        elif annotation and annotation.note:
            state = Content("✎")
        elif suggestion is not None:  # "about": a suggestion, not yet a review
            state = Content("~", [Span(0, 1, self.get_visual_style("article-view--suggested",
                                                                   partial=True))])
        else:
            state = Content(" ")
        return gutter + state + Content(" ")

    # -- mouse ---------------------------------------------------------------
    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._whole()  # a preview's window would stop the wheel at its end

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._whole()

    def on_click(self, event: events.Click) -> None:
        layout = self._whole()
        if layout is None or self.article is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        located = layout.block_at_line(self.scroll_offset.y + offset.y)
        if located is None:
            return
        index = layout.blocks[located[0]]
        if not self.article.sentences[index].heading:
            self.move_to(index)
            self.focus()


class _Texts:
    """``texts[i]`` for build_layout, each made screen-safe only when laid out."""

    __slots__ = ("_text",)

    def __init__(self, text: Callable[[int], str]) -> None:
        self._text = text

    def __getitem__(self, index: int) -> str:
        return self._text(index)
