"""Correcting the entities of the current sentence (the reader's ``t``).

A modal over the reader: the sentence with its entities, one of them selected.
``l``/``→`` and ``h``/``←`` step through them; ``enter`` chooses a new type (from the
config's entity types), ``d``/``delete`` says the text is not an entity, ``m`` marks a new
span (``l``/``h`` extend or shrink it by a word, ``w``/``b`` move it, ``enter`` gives it a
type), ``s`` cycles the scope (everywhere, this article, this sentence), ``escape`` closes.

Each correction is a rule about the text (annotations/entity_corrections.py); it is
stored in a thread worker (counting the mentions reads every article), and the reader
is told when it is done so it can repaint and put it on its undo stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content, Span
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotations.config import Config
from annotations.entity_corrections import Reach, add_rule, make_rule
from annotations.entity_rules import allowed_types, load_rules
from annotations.entity_undo import RuleEdit
from annotations.errors import UserError
from annotations.model import Article
from annotations.store import Store
from annotations.text import printable
from tui.safe_text import notify_untrusted, untrusted

SCOPES = ("everywhere", "article", "sentence")
_WORD = re.compile(r"\w+(?:[-.&]\w+)*")


@dataclass(frozen=True, slots=True)
class Span_:
    start: int  # relative to the sentence
    end: int
    label: str


class EntityCorrected:
    """A correction is stored: the reader repaints and puts ``edit`` on its undo stack."""

    def __init__(self, edit: RuleEdit, reach: Reach, label: str | None, scope: str) -> None:
        self.edit = edit
        self.reach = reach
        self.label = label
        self.scope = scope


class ReaderLike(Protocol):
    """What the editor needs of the reader under it."""

    article: Article

    def entity_corrected(self, message: EntityCorrected) -> None: ...
    def action_undo(self) -> None: ...
    def action_redo(self) -> None: ...


class EntityEditor(ModalScreen[None]):
    DEFAULT_CSS = """
    #entity-editor-types { max-height: 12; }
    #entity-editor-sentence { padding: 1 0; }
    """

    BINDINGS = [
        Binding("l,right", "step(1)", "Next entity / extend", id="entities.next"),
        Binding("h,left", "step(-1)", "Previous entity / shrink", id="entities.previous"),
        Binding("enter", "choose_type", "Change type", id="entities.type"),
        Binding("d,delete", "remove", "Not an entity", id="entities.remove"),
        Binding("m", "mark", "Mark a new span", id="entities.mark"),
        Binding("w", "move(1)", "Move the marked span right", id="entities.move_right"),
        Binding("b", "move(-1)", "Move the marked span left", id="entities.move_left"),
        Binding("s", "scope", "Scope: everywhere / article / sentence", id="entities.scope"),
        Binding("u", "undo", "Undo", id="entities.undo"),
        Binding("ctrl+r", "redo", "Redo", id="entities.redo"),
        Binding("escape,t", "close", "Close (escape cancels a choice or a mark)",
                id="entities.close"),
    ]

    def __init__(self, store: Store, config: Config, article: Article, index: int,
                 reader: ReaderLike) -> None:
        super().__init__(id="entity-editor")
        self.reader = reader
        self.store = store
        self.config = config
        self.article = article
        self.index = index
        sentence = article.sentences[index]
        self.sentence_start = sentence.start
        self.text = article.sentence_text(sentence)
        self.words = [m.span() for m in _WORD.finditer(self.text)]
        self.scope = "everywhere"
        self.selected = 0
        self.marking: tuple[int, int] | None = None  # first and last word of a new span
        self.busy = False
        self.entities = self._entities(article)

    def _entities(self, article: Article) -> list[Span_]:
        return [Span_(e.start - self.sentence_start, e.end - self.sentence_start, e.label)
                for e in article.entities_by_sentence().get(self.index, [])]

    def compose(self) -> ComposeResult:
        with Vertical(id="entity-editor-dialog", classes="dialog"):
            yield Static(id="entity-editor-title", classes="dialog-title")
            yield Static(id="entity-editor-sentence")
            yield OptionList(id="entity-editor-types")
            yield Static(Content("l/h step · enter type · d not an entity · m mark a span "
                                 "(l/h extend, w/b move) · s scope · u/ctrl+r undo/redo in "
                                 "the reader · escape close"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._hide_types()
        self._show()

    def _hide_types(self) -> None:
        # Hidden, the type list must not hold the focus: enter would go to it, not to us.
        options = self.query_one(OptionList)
        options.display = False
        options.can_focus = False
        self.set_focus(None)

    # -- display -------------------------------------------------------------
    def current(self) -> tuple[int, int, str | None] | None:
        """(start, end, label or None) of what a key acts on: the marked span, else the
        selected entity."""
        if self.marking is not None:
            first, last = self.marking
            return self.words[first][0], self.words[last][1], None
        if self.entities:
            e = self.entities[self.selected]
            return e.start, e.end, e.label
        return None

    def _show(self) -> None:
        colours = self.config.entities
        spans = [Span(e.start, e.end, f"bold {colours.get(e.label, '')}".strip())
                 for e in self.entities]
        chosen = self.current()
        if chosen is not None:
            spans.append(Span(chosen[0], chosen[1], "reverse"))
        # The sentence comes from the article: printable keeps offsets, Content is no markup.
        self.query_one("#entity-editor-sentence", Static).update(
            Content(printable(self.text), spans, strip_control_codes=False))
        if chosen is None:
            what = "no entities in this sentence: m marks a new span"
        elif self.marking is not None:
            what = f"new span: {self.text[chosen[0]:chosen[1]]}"
        else:
            what = (f"entity {self.selected + 1} of {len(self.entities)}: "
                    f"{self.text[chosen[0]:chosen[1]]} ({chosen[2]})")
        self.query_one("#entity-editor-title", Static).update(
            untrusted(f"Sentence {self.index} · {what} · scope: {self.scope}"))

    # -- keys ------------------------------------------------------------------
    def _choosing(self) -> bool:
        return bool(self.query_one(OptionList).display)

    def action_step(self, direction: int) -> None:
        if self._choosing():
            return
        if self.marking is not None:
            first, last = self.marking
            last = min(len(self.words) - 1, max(first, last + direction))
            self.marking = (first, last)
        elif self.entities:
            self.selected = (self.selected + direction) % len(self.entities)
        self._show()

    def action_move(self, direction: int) -> None:
        if self.marking is None or self._choosing():
            return
        first, last = self.marking
        if first + direction >= 0 and last + direction < len(self.words):
            self.marking = (first + direction, last + direction)
        self._show()

    def action_mark(self) -> None:
        if not self.words or self._choosing():
            return
        start = self.entities[self.selected].start if self.entities else 0
        first = next((i for i, (a, _) in enumerate(self.words) if a >= start), 0)
        self.marking = (first, first)
        self._show()

    def action_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self._show()

    def action_choose_type(self) -> None:
        if self.current() is None or self._choosing():
            return
        options = self.query_one(OptionList)
        options.clear_options()
        # Types come from the config (and spaCy's names): shown as Content, never markup.
        for label in allowed_types(self.config.entities):
            options.add_option(Option(untrusted(label), id=label))
        chosen = self.current()
        types = allowed_types(self.config.entities)
        options.highlighted = types.index(chosen[2]) if chosen and chosen[2] in types else 0
        options.display = True
        options.can_focus = True
        options.focus()

    @on(OptionList.OptionSelected, "#entity-editor-types")
    def _type_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._hide_types()
        self._correct(event.option.id)

    def action_remove(self) -> None:
        chosen = self.current()
        if chosen is None or self._choosing() or self.marking is not None:
            return
        self._correct(None)

    def action_close(self) -> None:
        if self._choosing():
            self._hide_types()
        elif self.marking is not None:
            self.marking = None
            self._show()
        else:
            self.dismiss(None)

    # -- storing ---------------------------------------------------------------
    def _correct(self, label: str | None) -> None:
        chosen = self.current()
        if chosen is None or self.busy:
            return
        text = self.text[chosen[0]:chosen[1]]
        article = None if self.scope == "everywhere" else self.article.id
        index = self.index if self.scope == "sentence" else None
        self.busy = True
        self._store(text, label, article, index)

    @work(thread=True, exclusive=True, group="entity-correction")
    def _store(self, text: str, label: str | None, article: str | None,
               index: int | None) -> None:
        """Check, count and store the rule off the UI thread (it reads every article)."""
        try:
            before = tuple(r for r in load_rules(self.store.root) if r.text == text)
            rule = make_rule(self.store, text, label, self.config.entities, article, index)
            found = add_rule(self.store, rule)
            after = tuple(r for r in load_rules(self.store.root) if r.text == text)
        except (UserError, OSError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        edit = RuleEdit(text, before, after, self.article.id)
        self.app.call_from_thread(self._stored, EntityCorrected(edit, found, label, rule.scope))

    def _failed(self, message: str) -> None:
        self.busy = False
        notify_untrusted(self, message, severity="error")

    def _stored(self, message: EntityCorrected) -> None:
        self.busy = False
        self.marking = None
        self.reader.entity_corrected(message)
        self.refresh_from(self.reader.article)

    def action_undo(self) -> None:
        if not self.busy and not self._choosing():
            self.reader.action_undo()
            self.refresh_from(self.reader.article)

    def action_redo(self) -> None:
        if not self.busy and not self._choosing():
            self.reader.action_redo()
            self.refresh_from(self.reader.article)

    def refresh_from(self, article: Article) -> None:
        """Show the sentence's entities as the rules now make them."""
        self.article = article
        self.entities = self._entities(article)
        self.selected = min(self.selected, max(0, len(self.entities) - 1))
        self._show()
