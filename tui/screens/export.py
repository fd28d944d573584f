"""The export dialog: a format and a path, with the last choice as the default."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from tui.settings import EXPORT_FORMATS, ExportChoice

FORMAT_NAMES = {
    "yaml": "YAML: everything, re-importable by newstag",
    "jsonl": "Prodigy JSONL (reviewed sentences)",
    "doccano": "doccano JSONL (reviewed sentences)",
    "csv": "CSV: a 0/1 column per label (reviewed sentences)",
    "spacy": "spaCy DocBin for training (reviewed sentences)",
}


def default_path(choice: ExportChoice) -> Path:
    folder = Path(choice.folder) if choice.folder else Path.cwd()
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    return folder / f"newstag-export-{stamp}{EXPORT_FORMATS[choice.format]}"


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Choose the format and the file; Enter exports, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, choice: ExportChoice) -> None:
        super().__init__(id="export-screen")
        self.choice = choice

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Content("Export annotations"), classes="dialog-title")
            yield Select([(name, key) for key, name in FORMAT_NAMES.items()],
                         value=self.choice.format, allow_blank=False, id="export-format")
            # A path typed or remembered is text from the user: Input shows it as it is.
            yield Input(str(default_path(self.choice)), id="export-path",
                        select_on_focus=False)
            yield Static(Content("Enter exports · escape cancels · the format and folder "
                                 "are remembered"), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export-go", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        old = EXPORT_FORMATS.get(self.choice.format, "")
        new = EXPORT_FORMATS[str(event.value)]
        if path_input.value.endswith(old):
            path_input.value = path_input.value[: len(path_input.value) - len(old)] + new
        self.choice = ExportChoice(str(event.value), self.choice.folder)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _export(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.notify("Name a file to export to.", severity="warning")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        self.dismiss((self.choice.format, path))

    def action_cancel(self) -> None:
        self.dismiss(None)
