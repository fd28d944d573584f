"""Modal screens: the note editor, the filter chooser and the help screen."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from annotations.text import visible_controls
from tui.safe_text import untrusted


class NoteScreen(ModalScreen[str | None]):
    """Write or edit a sentence's note; ctrl+s saves, escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, sentence: str, note: str) -> None:
        super().__init__(id="note-screen")
        self.sentence = sentence
        # TextArea writes its text to the terminal as it is: a note from an import is
        # edited with its controls made visible (tabs and newlines are the editor's).
        self.note = visible_controls(note)

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Static(Content("Note on: ") + untrusted(self.sentence), id="note-sentence")
            from textual.widgets import TextArea  # only when a note is edited: 10+ ms

            yield TextArea(self.note, id="note-text", soft_wrap=True)
            yield Static(Content("ctrl+s save · escape cancel · an empty note removes it"),
                         classes="dialog-hint")
            with Vertical(classes="dialog-buttons"):
                yield Button("Save", id="note-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#note-text").focus()

    def action_save(self) -> None:
        from textual.widgets import TextArea

        text = self.query_one("#note-text", TextArea).text.strip()
        # Saved unedited, a note shown with visible controls is left as it is stored.
        self.dismiss(None if text == self.note.strip() else text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#note-save")
    def _save_pressed(self) -> None:
        self.action_save()


class FilterScreen(ModalScreen[str | None]):
    """Choose which sentences the reader shows."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="filter.cancel")]

    def __init__(self, choices: list[tuple[str, Content]], current: str) -> None:
        super().__init__(id="filter-screen")
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-dialog", classes="dialog"):
            yield Static(Content("Show sentences…"), classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.choices],
                             id="filter-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self.choices]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """The labels (key, mark, name, description) first, then every key of the screen."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]],
                 labels: list[tuple[str, str, str, str]] = (),  # type: ignore[assignment]
                 notes: list[str] = ()) -> None:  # type: ignore[assignment]
        super().__init__(id="help-screen")
        self.rows = rows
        self.labels = list(labels)
        self.notes = list(notes)  # our own text (suggestions), under the labels

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(Content("newstag — keys"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                width = max((len(k) for k, _ in self.rows), default=4) + 2
                # Label keys, marks, names and descriptions come from the config.
                lines = []
                if self.labels:
                    lines.append(Content.styled("Labels (a key toggles it on the sentence; "
                                                "the gutter shows its mark)", "bold underline"))
                    for key, mark, name, description in self.labels:
                        lines.append(untrusted(key.ljust(4), "bold") +
                                     untrusted(f"{mark}  {name}", "bold") +
                                     (untrusted(f" — {description}") if description
                                      else Content("")))
                    lines += [Content(note) for note in self.notes]
                    lines.append(Content(""))
                    lines.append(Content.styled("Keys", "bold underline"))
                lines += [untrusted(key.ljust(width), "bold") + untrusted(description)
                          for key, description in self.rows]
                yield Static(Content("\n").join(lines), id="help-text")
            yield Static(Content("escape closes"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
