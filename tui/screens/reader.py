"""The reader: an article with entities highlighted, tagged sentence by sentence."""

from __future__ import annotations

import bisect
import contextlib
import re
import time
from operator import attrgetter
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotations.adjudication import Adjudication, adjudicate
from annotations.article_start import ArticleStart
from annotations.config import Config
from annotations.errors import UserError
from annotations.file_stamps import recorded_stamp
from annotations.identity import GOLD
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.positions import save_position
from annotations.session import ChangedSince, Edit, TaggingSession
from annotations.suggest.reviewing import confirm_suggested, toggle_suggested, toggled
from annotations.tagging import TagChange
from tui.article_view import ArticleView, Highlights
from tui.keymap import LABEL_ACTION, label_slots, labelled_in_order
from tui.navigation import CloseReader
from tui.reader.adjudication_line import AdjudicationLine, cursor_line, gutter_key
from tui.reader.entity_panel import EntityPanel, corrected_counts
from tui.reader.legend import Legend
from tui.reader.search_bar import SearchBar
from tui.reader.selection import filter_name, filtered, sentences_mentioning, sentences_with
from tui.reader.status_line import Status, StatusLine
from tui.reader.suggested import ArticleSuggestions
from tui.safe_text import notify_untrusted, untrusted

if TYPE_CHECKING:  # the modules of what a key opens are imported when it is pressed
    from tui.reader.entity_editor import EntityCorrected

# What writes (or needs the stored article): off while a new article is only previewed.
WRITING_ACTIONS = frozenset({
    LABEL_ACTION, "toggle_label", "confirm", "none_apply", "clear", "note", "undo", "redo",
    "least_sure", "correct_entities", "adjudicate", "app.export"})


def _taggable_in(article: Article) -> int:
    """The sentences that are not headings (a count over 20,000 Structs in C)."""
    return len(article.sentences) - sum(map(attrgetter("heading"), article.sentences))


class ReaderScreen(Screen):
    # Label slots first, so the footer shows them even at 80-120 columns. Their keys come
    # from the config through the app's keymap (tui/keymap.py).
    BINDINGS = [
        *label_slots(),
        Binding("j,down", "next_sentence", "Next", id="reader.next", key_display="j/↓"),
        Binding("k,up", "previous_sentence", "Previous", id="reader.previous",
                key_display="k/↑", show=False),
        Binding("g,home", "first_sentence", "First sentence", show=False, id="reader.first"),
        Binding("G,end", "last_sentence", "Last sentence", show=False, id="reader.last"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="reader.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="reader.page_up"),
        Binding("right_square_bracket", "next_unreviewed", "Next unreviewed",
                id="reader.next_unreviewed", key_display="]", show=False),
        Binding("left_square_bracket", "previous_unreviewed", "Previous unreviewed",
                show=False, id="reader.previous_unreviewed", key_display="["),
        Binding("enter,space", "confirm", "Confirm", id="reader.confirm", key_display="⏎"),
        Binding("0", "none_apply", "None apply", id="reader.none"),
        Binding("backspace", "clear", "Clear", show=False, id="reader.clear"),
        Binding("c", "note", "Note", id="reader.note", show=False),
        Binding("u", "undo", "Undo", id="reader.undo", show=False),
        Binding("ctrl+r", "redo", "Redo", show=False, id="reader.redo"),
        Binding("slash", "search", "Search", id="reader.search", key_display="/"),
        Binding("n", "search_next(1)", "Next match", show=False, id="reader.search_next"),
        Binding("N", "search_next(-1)", "Previous match", show=False,
                id="reader.search_previous"),
        Binding("f", "filter", "Filter", id="reader.filter"),
        Binding("p", "toggle_entity_panel", "Entities", id="reader.entities", show=False),
        Binding("h", "toggle_highlight", "Highlight on/off", show=False,
                id="reader.highlight"),
        Binding("e", "app.export", "Export", id="reader.export", show=False),
        Binding("escape", "back", "Library", id="reader.back", show=False),
        Binding("q", "app.quit", "Quit", id="reader.quit"),
        Binding("s", "least_sure", "Least sure: the unreviewed sentence the suggestions "
                "doubt most", show=False, id="reader.least_sure"),
        Binding("t", "correct_entities", "Correct entities", show=False,
                id="reader.correct_entities"),
        Binding("D", "adjudicate", "Adjudicate on/off: every annotator's labels in the "
                "gutter, the keys set the gold layer, f shows the disputed sentences",
                show=False, id="reader.adjudicate"),
    ]

    def __init__(self, config: Config, session: TaggingSession, article: Article,
                 annotations: dict[int, SentenceAnnotation], position: int | None,
                 orphaned: int = 0, preview: tuple[int, int] | None = None,
                 start: ArticleStart | None = None) -> None:
        """``start``: ``article`` is its first part (annotations/article_start.py); the
        rest is read right after the first paint and before any key acts (``finish``)."""
        super().__init__(id="reader")
        # (lines done, lines): a new article shown while it is processed, not stored yet
        # (tui/app.py on_import_preview); read only until the stored one replaces it.
        self._processing = preview
        self._processing_shown = 0.0
        self._start = start if start is not None and not start.finished else None
        self.damaged = False  # the rest of the article's file was found damaged
        self.orphaned = orphaned
        self.config = config
        self.session = session
        self.article = article
        self.annotations = annotations
        self.start_position = position
        self.filter_key = "all"
        self.search_query = ""
        self.matches: list[tuple[int, int]] = []
        self.chosen_entity: str | None = None
        self.chosen_entity_label = ""
        self.hidden_types: set[str] = set()
        self.highlight_on = True
        self._taggable = _taggable_in(article)
        # Adjudicating (D): the annotators' verdicts, and ``annotations`` is the gold layer.
        self.adjudication: Adjudication | None = None

    @property
    def preview(self) -> bool:
        return self._processing is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A label slot without a label in the config is neither shown nor pressable.
        if action == LABEL_ACTION and \
                int(parameters[0]) > len(self.config.labels):  # type: ignore[call-overload]
            return False
        if self.preview and action in WRITING_ACTIONS:
            return None  # shown dimmed, not run; on_key says why
        return True

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, with each label slot named for its label, in the declared order.

        A keymap moves the bindings it rebinds to the end; the footer keeps the order of
        BINDINGS (labels first) whatever keys the config gives them.
        """
        return labelled_in_order(super().active_bindings, self, self.config.labels)

    def compose(self) -> ComposeResult:
        yield Static(id="reader-title")
        with Horizontal(id="reader-body"):
            yield ArticleView(self.config, id="article")
        yield Legend(id="legend")
        yield StatusLine(id="status")
        yield AdjudicationLine(id="adjudication")
        yield Footer()
        yield ArticleSuggestions(id="suggestions")

    def on_key(self, event: events.Key) -> None:
        if not self.preview:
            return
        binding = self.active_bindings.get(event.key)
        action = binding.binding.action.partition("(")[0] if binding is not None else ""
        if action.removeprefix("screen.") in WRITING_ACTIONS:
            self.notify("Still processing this article: read on, tagging opens when it is "
                        "ready.", timeout=3)

    def show_processing(self, done: int, total: int) -> None:
        if self.preview:
            self._processing = (done, total)
            # A batch of lines every few ms: a redraw for each took the GIL from spaCy.
            now = time.monotonic()
            if self.is_mounted and now - self._processing_shown >= 0.5:  # else on_mount
                self._processing_shown = now
                self.query_one("#reader-title", Static).update(self._title())

    def extend_preview(self, article: Article, done: int, total: int) -> None:
        """More of the article is processed: show it as ``_show_anew`` does."""
        if not self.is_mounted:  # on_mount shows what is there by then
            self.article = article
            self._taggable = _taggable_in(article)
            self._processing = (done, total)
            return
        self._show_anew(article, {})
        self.show_processing(done, total)

    def become_stored(self, article: Article, annotations: dict[int, SentenceAnnotation],
                      orphaned: int) -> None:
        """The previewed article is stored: it is taggable from here, in this same screen
        (a dialog or the stats screen over it stays open), as ``_show_anew`` shows it."""
        self._processing = None
        self.orphaned = orphaned
        self._show_anew(article, annotations)
        self.query_one("#reader-title", Static).update(self._title())
        self.refresh_bindings()  # the tagging keys were dimmed
        self._start_watching()

    def _show_anew(self, article: Article, annotations: dict[int, SentenceAnnotation]) -> None:
        """The same text split anew (more of it processed, or stored): the cursor, the
        sentence at the top of the view, the filter, the search and the entity panel kept."""
        view = self.view
        cursor, top = self.cursor_in(article), self._sentence_in(article, view.top_sentence())
        self.article = article
        self.annotations = annotations
        self._taggable = _taggable_in(article)
        view.show_article(article, annotations, cursor, complete_later=not self.preview)
        if self.search_query:
            self._find_matches()
        if self.filter_key != "all":
            self.apply_filter(self.filter_key, quiet=True)
        if self._panel_shown():
            self._fill_entity_panel()
        if top is not None:
            view.scroll_sentence_to_top(top)
        self._update_legend()
        self._update_status()

    def cursor_in(self, article: Article) -> int | None:
        """The sentence of ``article`` (the same text, split anew) that holds the start of
        the cursor's: a preview splits what is not processed yet at line ends."""
        return self._sentence_in(article, self.view.cursor if self.is_mounted else None)

    def _sentence_in(self, article: Article, index: int | None) -> int | None:
        if index is None or not article.sentences:
            return None
        at = self.article.sentences[index].start
        return max(0, bisect.bisect_right(article.sentences, at, key=attrgetter("start")) - 1)

    def on_mount(self) -> None:
        # A reader opens on the annotator's own layer, even when the one before it was
        # closed while adjudicating (an article opened from the command palette).
        self.session.layer = None
        view = self.query_one(ArticleView)
        self.query_one("#reader-title", Static).update(self._title())
        self._update_legend()
        view.show_article(self.article, self.annotations, self.start_position, self._start,
                          complete_later=not self.preview)
        if self._start is not None:
            self._finish_later()
        view.focus()
        self._update_status()
        if self.preview:
            self.notify("Showing the article while it is processed: read on, tagging opens "
                        "when it is ready.", timeout=5)
            return  # not stored yet: nothing to pick up, nothing to suggest
        self._start_watching()

    def _start_watching(self) -> None:
        """Tags from other processes picked up, and suggestions, once the article is stored."""
        # None: the first look reads the annotations again. The file's signature taken
        # now, after they were loaded, would hide a tag written in between for good.
        self._signature: tuple[int, int, int] | None = None
        self.set_interval(1.0, self.pick_up_external_changes)
        self.suggester_changed()  # the current suggester's guesses, if there is one yet
        # Training starts once the first screen is drawn: its thread took the GIL from
        # the first paint (~10 ms of it, issue 9); suggestions always come later anyway.
        self.call_after_refresh(self.app.suggestions.want)

    def _finish_later(self) -> None:
        # Asked for before the view's whole layout is (at the first paint), so done first.
        self.call_after_refresh(self.finish)

    def finish(self) -> bool:
        """The whole article, read now if only its start is (the app calls it before any
        key or click acts). False when the file is damaged: said once, and the app
        closes the reader, untouched."""
        start, self._start = self._start, None
        if start is not None:
            try:
                self.article = start.finish()
            except UserError as exc:
                self.damaged = True
                notify_untrusted(self, str(exc), severity="error", timeout=10)
                self.post_message(CloseReader())
                return False
            self.view.article_finished(self.article)
            self._update_legend()
        return not self.damaged

    def pick_up_external_changes(self) -> None:
        """Show tags written by another process (a script running 'newstag tag')."""
        store = self.session.store
        taken = time.time_ns()
        signature = store.annotations_signature(self.article.id)
        if signature == self._signature:
            return
        # Kept as the stamps rule records it (annotations/file_stamps.py): a file written
        # within a clock step of now could be written again with this very signature, so
        # it is read again on the next look.
        self._signature = recorded_stamp(*signature, taken) if signature else None
        if self.adjudication is not None:
            self._refresh_adjudication()
            return
        try:
            current = store.annotations(self.article.id)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error")
            return
        changed = {i for i in set(current) | set(self.annotations)
                   if current.get(i) != self.annotations.get(i)}
        for index in changed:
            self.view.update_annotation(index, current.get(index))
        if changed:
            self._update_status()
            self.app.suggestions.retrain()

    # -- display -------------------------------------------------------------
    def _title(self) -> Content:
        a = self.article
        parts = [a.title or a.id]
        if a.source:
            parts.append(a.source)
        if a.published:
            parts.append(a.published)
        title = untrusted(" — ".join(parts), "bold")
        if self._processing is not None:
            done, total = self._processing
            step = f"processing: {done:,} of {total:,} lines ({100 * done // max(total, 1)}%)"
            title += Content.styled(f"   {step} — read only until it is stored",
                                    "italic $text-warning")
        return title

    def _update_legend(self) -> None:
        if self.adjudication is not None:
            self.query_one(Legend).update(gutter_key(self.adjudication))
            return
        types = (self._start.entity_types() if self._start is not None
                 else {e.label for e in self.article.entities})
        self.query_one(Legend).show(self.config.labels, self.config.entities, types,
                                    self.hidden_types, self.highlight_on)

    def _update_status(self) -> None:
        # cursor_to_be: the status line of the first frame names the sentence the cursor
        # is drawn on in that frame (the view lays out just before it, CursorMoved after).
        self.query_one(StatusLine).show(Status(
            self._taggable, self.annotations, self.view.cursor_to_be,
            {x.name: x.colour for x in self.config.labels},
            "" if self.filter_key == "all" else filter_name(self.filter_key),
            self.orphaned, self.search_query, len(self.matches),
            suggestion=None if self.adjudication else self.view.suggestion_for(self.view.cursor)))
        if self.adjudication is not None:
            cursor = self.view.cursor
            shown = self.view.suggestion_for(cursor)
            self.query_one(AdjudicationLine).update(cursor_line(
                self.adjudication, cursor,
                self.annotations.get(cursor) if cursor is not None else None,
                shown.labels if shown is not None else None,
                {x.name: x.colour for x in self.config.labels}))

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_status()

    # -- navigation ----------------------------------------------------------
    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    def action_next_sentence(self) -> None:
        self.view.next_sentence()

    def action_previous_sentence(self) -> None:
        self.view.previous_sentence()

    def action_first_sentence(self) -> None:
        self.view.first_sentence()

    def action_last_sentence(self) -> None:
        self.view.last_sentence()

    def action_page(self, direction: int) -> None:
        self.view.page(direction)

    def _unreviewed(self) -> list[int]:
        return [i for i in self.view.taggable_visible()
                if (a := self.annotations.get(i)) is None or a.state is ReviewState.UNREVIEWED]

    def action_next_unreviewed(self) -> None:
        items = self._unreviewed()
        cursor = self.view.cursor if self.view.cursor is not None else -1
        later = [i for i in items if i > cursor] or items
        if later:
            self.view.move_to(later[0])
        else:
            self.notify("Every sentence in this article is reviewed.")

    def action_previous_unreviewed(self) -> None:
        items = self._unreviewed()
        cursor = self.view.cursor if self.view.cursor is not None else 10**9
        earlier = [i for i in items if i < cursor] or items
        if earlier:
            self.view.move_to(earlier[-1])

    # -- tagging -------------------------------------------------------------
    def _apply(self, operation, *args) -> SentenceAnnotation | None:
        index = self.view.cursor
        if index is None:
            self.notify("No sentence selected.", severity="warning")
            return None
        try:
            stored = operation(self.article, index, *args)
        except (UserError, OSError) as exc:
            notify_untrusted(self, str(exc), severity="error")
            return None
        self.view.update_annotation(index, stored)
        if self.adjudication is not None:
            self._update_legend()  # the count of open disputes
        self._update_status()
        self.app.suggestions.retrain()  # learn from it, in a worker (tui/suggestions.py)
        return stored

    def action_label(self, slot: int) -> None:
        """The key of label slot ``slot`` (1-based, in config order) was pressed."""
        if 1 <= slot <= len(self.config.labels):
            self.action_toggle_label(self.config.labels[slot - 1].name)

    def action_toggle_label(self, name: str) -> None:
        shown = self.view.suggestion_for(self.view.cursor)
        if shown is None:
            self._apply(self.session.toggle_label, name)
        elif not toggled(self.config, shown.labels, name):
            # The only suggested label taken off: nothing to store; the suggestion goes
            # away so what is shown (no label) is what the next Enter confirms.
            self.view.set_dismissed(self.view.cursor, True)  # type: ignore[arg-type]
            self._update_status()
        else:
            self._apply(lambda article, index: toggle_suggested(
                self.session, article, index, shown.labels, name))

    def action_confirm(self) -> None:
        shown = self.view.suggestion_for(self.view.cursor)
        if shown is None and self._undecided_tie(self.view.cursor):
            self.notify("The annotators are split evenly here: choose the labels, or 0 for "
                        "none apply.", severity="warning")
            return
        if shown is not None:  # exactly the suggested labels, as a person's annotation
            if self._apply(lambda article, index: confirm_suggested(
                    self.session, article, index, shown.labels)) is not None:
                self.view.next_sentence()
            return
        if self._apply(self.session.confirm) is not None or self.view.cursor is not None:
            self.view.next_sentence()

    def action_none_apply(self) -> None:
        index = self.view.cursor
        if index is None:
            return
        self._apply(self.session.change, TagChange(self.article.id, index, none=True))
        self.view.next_sentence()

    def action_clear(self) -> None:
        index = self.view.cursor
        if index is not None:
            self.view.set_dismissed(index, False)  # unreviewed again: suggestions too
            self._apply(self.session.change, TagChange(self.article.id, index, clear=True))

    def action_note(self) -> None:
        index = self.view.cursor
        if index is None:
            return
        current = self.annotations.get(index)
        text = self.article.sentence_text(self.article.sentences[index])

        def save(note: str | None) -> None:
            if note is None or note == (current.note if current else ""):
                return
            self._apply(self.session.change, TagChange(self.article.id, index, note=note))
            self.notify("Note saved." if note else "Note removed.")

        from tui.screens.modals import NoteScreen

        self.app.push_screen(NoteScreen(text, current.note if current else ""), save)

    def action_undo(self) -> None:
        try:
            self._show_edit(self.session.undo(), "Undone", "Nothing to undo.")
        except ChangedSince as refused:
            self._refused_edit(refused, "Not undone")

    def action_redo(self) -> None:
        try:
            self._show_edit(self.session.redo(), "Redone", "Nothing to redo.")
        except ChangedSince as refused:
            self._refused_edit(refused, "Not redone")

    def _refused_edit(self, refused: ChangedSince, verb: str) -> None:
        notify_untrusted(self, f"{verb}: {refused}", severity="warning")
        if refused.edit.article_id == self.article.id:
            self._signature = None  # show the sentence as it is now
            self.pick_up_external_changes()

    def _show_edit(self, edit, verb: str, nothing: str) -> None:
        if edit is None:
            self.notify(nothing)
            return
        if not isinstance(edit, Edit):  # a RuleEdit: an entity correction
            self._entities_changed()
            notify_untrusted(self, f"{verb}: the correction of {edit.text}")
            return
        if edit.article_id != self.article.id:
            notify_untrusted(self, f"{verb}: a change in article {edit.article_id}")
            return
        if edit.layer != self.session.layer:  # made in the other mode
            if self.adjudication is not None:
                self._load_adjudication()  # an annotator's layer, shown in the gutter
            where = "the gold layer" if edit.layer == GOLD else "your own layer"
            self.notify(f"{verb}: sentence {edit.index} in {where}.")
            return
        annotation = edit.before if verb == "Undone" else edit.after
        self.view.update_annotation(edit.index, annotation)
        if self.adjudication is not None:
            self._update_legend()
        self.app.suggestions.retrain()
        if edit.index in self.view.taggable_visible():
            self.view.move_to(edit.index)
        self._update_status()

    # -- suggestions (issue 10) -----------------------------------------------
    def suggester_changed(self) -> None:
        """The app has a new suggester (or lost it): score this article again."""
        if not self.is_mounted or self.preview:
            return  # on_mount scores with whatever suggester there is then; a preview never
        service = self.app.suggestions
        self.query_one(ArticleSuggestions).recompute(service.suggester, service.generation)

    @on(ArticleSuggestions.Updated)
    def _suggestions_updated(self) -> None:
        self._update_status()

    def action_least_sure(self) -> None:
        """Go to the unreviewed sentence whose suggestion is least sure (nearest 0.5)."""
        service, view = self.app.suggestions, self.view
        candidates = [i for i in view.taggable_visible() if view.suggestion_for(i) is not None]
        cursor = view.cursor if view.cursor is not None else -1
        uncertainty = self.query_one(ArticleSuggestions).uncertainty
        from annotations.suggest.gain import least_sure

        target = least_sure(uncertainty, candidates, after=cursor)
        if target is not None:
            view.move_to(target)
        elif not service.enabled:
            self.notify("Suggestions are off (suggestions: false in the config).")
        elif not self._unreviewed():
            self.notify("Every sentence in this article is reviewed.")
        elif service.failure:
            self.notify("No suggestions: the model failed.", severity="warning")
        else:
            self.notify("No suggestions yet: the model is still being built.")

    # -- search --------------------------------------------------------------
    async def action_search(self) -> None:
        bars = self.query(SearchBar)
        if bars:
            bar = bars.first()
        else:  # mounted when first opened: a hidden Input was ~3 ms of the first screen
            bar = SearchBar(id="search")
            await self.mount(bar, before=self.query_one(Footer))
        bar.open(self.search_query)

    @on(SearchBar.SearchClosed)
    def _search_closed(self) -> None:
        self.view.focus()

    @on(SearchBar.SearchSubmitted)
    def _search_submitted(self, event: SearchBar.SearchSubmitted) -> None:
        self.search_query = event.query
        self.view.focus()
        if not self.search_query:
            self.matches = []
            self.view.set_matches([])
            self._update_status()
            return
        self._find_matches()
        self._update_status()
        if not self.matches:
            self.notify("No match.", severity="warning")
            return
        self.action_search_next(1, include_current=True)

    def _find_matches(self) -> None:
        pattern = re.compile(re.escape(self.search_query), re.IGNORECASE)
        self.matches = [m.span() for m in pattern.finditer(self.article.text)]
        self.view.set_matches(self.matches)

    def action_search_next(self, direction: int, include_current: bool = False) -> None:
        if not self.matches:
            if self.search_query:
                self.notify("No match.", severity="warning")
            return
        hits = sentences_with(self.article, self.view.taggable_visible(), self.matches)
        if not hits:
            return
        cursor = self.view.cursor if self.view.cursor is not None else -1
        if direction > 0:
            later = [i for i in hits if i > cursor or (include_current and i == cursor)]
            self.view.move_to((later or hits)[0])
        else:
            earlier = [i for i in hits if i < cursor]
            self.view.move_to((earlier or hits)[-1])

    # -- filters -------------------------------------------------------------
    def action_filter(self) -> None:
        keys = ["all", "unreviewed", "untagged"] + [f"label:{x.name}" for x in
                                                   self.config.labels]
        if self.adjudication is not None:
            keys[1:1] = ["disputed", "disputed-open"]
        if self.chosen_entity:
            keys.append(f"entity:{self.chosen_entity}")
        choices = [(k, untrusted(filter_name(k))) for k in keys]

        def chosen(key: str | None) -> None:
            if key is not None:
                self.apply_filter(key)

        from tui.screens.modals import FilterScreen

        self.app.push_screen(FilterScreen(choices, self.filter_key), chosen)

    def apply_filter(self, key: str, quiet: bool = False) -> None:
        """Show the sentences ``key`` keeps (``quiet``: the layer changed under the
        filter; when it keeps nothing, all are shown without a warning)."""
        self.filter_key = key
        sentences = self.article.sentences
        visible = filtered(self.article, self.annotations, key, self.chosen_entity_label,
                           self.adjudication.disputes if self.adjudication else frozenset())
        if key != "all" and not any(not sentences[i].heading for i in visible):
            if not quiet:
                notify_untrusted(self, f"No sentences are {filter_name(key)}.",
                                 severity="warning")
            self.filter_key = "all"
            visible = [s.index for s in sentences]
        self.view.set_visible(visible)
        self._update_status()

    # -- entities ------------------------------------------------------------
    async def action_toggle_entity_panel(self) -> None:
        panels = self.query(EntityPanel)
        if panels:
            panel = panels.first()
        else:  # mounted when first opened: a hidden OptionList was ~2 ms of the first screen
            panel = EntityPanel(id="entity-panel")
            await self.query_one("#reader-body").mount(panel)
        panel.display = not panel.display
        if panel.display:
            self._fill_entity_panel()
            panel.focus()
        else:
            self.view.focus()

    def _panel_shown(self) -> bool:
        return any(panel.display for panel in self.query(EntityPanel))

    def _fill_entity_panel(self) -> None:
        shown = ({e.label for e in self.article.entities} - self.hidden_types
                 if self.highlight_on else set())
        self.query_one(EntityPanel).show_entities(self.article, self.config.entities, shown,
                                                  corrected_counts(self.session.store,
                                                                   self.article.id))

    # -- correcting entities (tui/reader/entity_editor.py) ---------------------
    def action_correct_entities(self) -> None:
        index = self.view.cursor
        if index is None:
            self.notify("No sentence selected.", severity="warning")
            return
        from tui.reader.entity_editor import EntityEditor

        self.app.push_screen(EntityEditor(self.session.store, self.config, self.article,
                                          index, self))

    def entity_corrected(self, message: EntityCorrected) -> None:
        self.session.record(message.edit)
        self._entities_changed()
        what = f"is {message.label}" if message.label else "is not an entity"
        notify_untrusted(self, f"{message.edit.text} {what} ({message.scope}): "
                         f"{message.reach.mentions} mentions in {message.reach.articles} "
                         f"articles, {message.reach.changed} changed")

    def _entities_changed(self) -> None:
        """The rules changed: the article's entities as they now are, repainted."""
        try:
            self.article = self.session.store.load_article(self.article.id)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error")
            return
        self.view.set_entities(self.article)
        self._update_legend()
        if self._panel_shown():
            self._fill_entity_panel()

    @on(EntityPanel.EntityTypeToggled)
    def _entity_type_toggled(self, event: EntityPanel.EntityTypeToggled) -> None:
        self.hidden_types ^= {event.label}
        self.view.set_highlights(Highlights(self.highlight_on, frozenset(self.hidden_types)))
        self._update_legend()
        self._fill_entity_panel()

    @on(EntityPanel.EntityChosen)
    def _entity_chosen(self, event: EntityPanel.EntityChosen) -> None:
        label, text = event.label, event.text
        self.chosen_entity, self.chosen_entity_label = text, label
        visible = set(self.view.taggable_visible())
        hits = [i for i in sentences_mentioning(self.article, label, text) if i in visible]
        if not hits:
            self.notify("No visible sentence mentions it (check the filter).")
            return
        cursor = self.view.cursor if self.view.cursor is not None else -1
        later = [i for i in hits if i > cursor] or hits
        self.view.move_to(later[0])
        position = hits.index(later[0]) + 1
        notify_untrusted(self, f"Mention {position} of {len(hits)}: {text}", timeout=2)

    def action_toggle_highlight(self) -> None:
        self.highlight_on = not self.highlight_on
        self.view.set_highlights(Highlights(self.highlight_on, frozenset(self.hidden_types)))
        self._update_legend()
        if self._panel_shown():
            self._fill_entity_panel()

    # -- adjudication (issue 12) ------------------------------------------------
    def action_adjudicate(self) -> None:
        """Adjudicate, or stop: back to the annotator's own layer."""
        if self.adjudication is not None:
            self._stop_adjudicating()
            return
        self._signature = self.session.store.annotations_signature(self.article.id)
        self._load_adjudication()

    def _read_adjudication(self) -> Adjudication | None:
        try:
            return adjudicate(self.session.store.load_layers(self.article.id).layers())
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error")
            return None

    def _refresh_adjudication(self) -> None:
        """The file changed (our own gold writes change it too): read it again in a
        thread (at 20,000 sentences reading and comparing every layer takes a few hundred
        ms, and it follows each gold write)."""
        if self.adjudication is not None:
            self._read_adjudication_again(self.adjudication, dict(self.annotations))

    @work(thread=True, exclusive=True, group="adjudication", exit_on_error=False)
    def _read_adjudication_again(self, current: Adjudication,
                                 gold: dict[int, SentenceAnnotation]) -> None:
        try:
            fresh = adjudicate(self.session.store.load_layers(self.article.id).layers())
        except UserError as exc:
            self.app.call_from_thread(notify_untrusted, self, str(exc), severity="error")
            return
        same = fresh.annotators == current.annotators and fresh.verdicts == current.verdicts
        changed = {i: fresh.gold.get(i) for i in set(fresh.gold) | set(gold)
                   if fresh.gold.get(i) != gold.get(i)}
        self.app.call_from_thread(self._adjudication_read_again, current, fresh, same,
                                  changed)

    def _adjudication_read_again(self, current: Adjudication, fresh: Adjudication, same: bool,
                                 changed: dict[int, SentenceAnnotation | None]) -> None:
        """When the annotators' layers are as they were, only the gold sentences that
        differ are drawn again (the filter and the cursor stay); otherwise everything is
        shown again from the fresh reading."""
        if not self.is_mounted or self.adjudication is not current:
            return  # left (or the reader closed), or shown from a newer reading, meanwhile
        if not same:
            self._load_adjudication(fresh)
            return
        for index, annotation in changed.items():
            self.view.update_annotation(index, annotation)
        if changed:
            self._update_legend()
            self._update_status()

    def _load_adjudication(self, adjudication: Adjudication | None = None) -> None:
        """Read every layer once and show them; the keys then write the gold layer."""
        adjudication = adjudication or self._read_adjudication()
        if adjudication is None:
            return
        if len(adjudication.annotators) < 2:
            if self.adjudication is not None:  # an annotator's layer went (an import)
                self._stop_adjudicating()
            people = len(adjudication.annotators)
            self.notify(f"Nothing to adjudicate: this article has {people} "
                        f"annotator{'' if people == 1 else 's'}; adjudication needs two "
                        "(import their exports with 'newstag import-annotations').",
                        severity="warning")
            return
        starting = self.adjudication is None
        self.adjudication = adjudication
        self.session.layer = GOLD
        self.annotations = adjudication.gold
        self.view.set_adjudication(adjudication, adjudication.gold)
        self.query_one(AdjudicationLine).display = True
        self._update_legend()
        self.apply_filter(self.filter_key, quiet=True)
        if starting:
            self.notify(f"Adjudicating {len(adjudication.annotators)} annotators: "
                        f"{len(adjudication.disputes)} disputed sentences "
                        f"({len(adjudication.open_disputes())} without gold). "
                        "f filters them; D leaves.")

    def _stop_adjudicating(self) -> None:
        self.adjudication = None
        self.session.layer = None
        try:
            own = self.session.store.annotations(self.article.id)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error")
            own = {}
        self.annotations = own
        self.view.set_adjudication(None, own)
        self.query_one(AdjudicationLine).display = False
        self._update_legend()
        self.apply_filter("all" if self.filter_key.startswith("disputed") else self.filter_key,
                          quiet=True)
        self.suggester_changed()  # the model's guesses for the own layer's open sentences
        self.notify("Adjudication off: the keys write your own layer again.")

    def _undecided_tie(self, index: int | None) -> bool:
        """Adjudicating a disputed sentence without gold whose annotators are split evenly:
        Enter would make none apply the gold decision without anyone choosing it."""
        if self.adjudication is None or index is None or self.adjudication.adjudicated(index):
            return False
        verdict = self.adjudication.verdict(index)
        return verdict.disputed and verdict.proposal is None

    # -- leaving -------------------------------------------------------------
    def action_back(self) -> None:
        if self.adjudication is not None:  # escape leaves adjudication first
            self._stop_adjudicating()
            return
        self.post_message(CloseReader())

    def remember_position(self) -> None:
        if self.view.cursor is not None and not self.preview and not self.damaged:
            with contextlib.suppress(UserError, OSError):
                save_position(self.session.store, self.article.id, self.view.cursor)

