"""The line under the article: each label's key, mark and name, then the entity types."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from textual.content import Content
from textual.widgets import Static

from annotations.config import LabelSpec
from tui.safe_text import untrusted


class Legend(Static):
    def show(self, labels: Sequence[LabelSpec], colours: Mapping[str, str],
             present: Collection[str], hidden: Collection[str], highlight_on: bool) -> None:
        """``colours`` are the configured entity types; ``present`` the article's."""
        # Labels first: what a tagger presses must not be cut off at 80-100 columns.
        pieces = [Content("Labels: ")]
        for label in labels:
            # key, the gutter's mark, name: what to press and what the gutter will show
            pieces.append(untrusted(f"{label.key} {label.mark} {label.name}",
                                    f"bold {label.colour}"))
            pieces.append(Content("  "))
        pieces.append(Content.styled("(? help)", "dim"))
        pieces.append(Content("   Entities: "))
        if not highlight_on:
            pieces.append(Content("off (h)"))
        else:
            for name, colour in colours.items():
                if name not in present:
                    continue
                style = "strike dim" if name in hidden else f"underline {colour}"
                pieces.append(untrusted(name, style))
                pieces.append(Content("  "))
        self.update(Content("").join(pieces))
