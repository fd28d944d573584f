"""The one way untrusted text reaches the screen.

Textual parses a plain ``str`` as markup almost everywhere (Static, Label, OptionList,
DataTable cells, the command palette, toasts): ``[@click=app.screenshot()]x[/]``
becomes an action and a stray ``[/]`` raises MarkupError. And neither Textual nor
Rich removes ESC, so an OSC 52 sequence in a title would reach the terminal.
Everything that came from a file (title, id, source, label, note, sentence, file
name, error text) is shown through these functions: ``printable`` (annotations.text)
makes controls visible, then the result becomes Content or Text, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.content import Content

from annotations.text import printable

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget


def untrusted(text: str, style: str = "", *, multiline: bool = False) -> Content:
    """Text from a file as Content: never parsed as markup, controls made visible."""
    content = Content(printable(text, multiline=multiline), strip_control_codes=False)
    return content.stylize(style) if style else content


def untrusted_cell(text: str, style: str = "") -> Text:
    """The same for a DataTable cell (a ``str`` cell would be markup): one line, cut with …"""
    return Text(printable(text), style=style, no_wrap=True, overflow="ellipsis")


def notify_untrusted(node: App | Widget, message: str, **kwargs: Any) -> None:
    """A toast whose message echoes text from a file (a file name, an error, an entity)."""
    node.notify(printable(message, multiline=True), markup=False, **kwargs)
