"""The reader's start: Python's cyclic garbage collector waits for the first screen.

Starting the reader allocates a few hundred thousand objects that live as long as the
app (Textual's modules and widgets, the config, a 20,000-sentence article's sentences
and entities) and next to no cyclic garbage, yet the collector's thresholds count
every allocation, so it ran full passes over all of them before the first paint
(issue 9: about a third of laying out the article went to it). It is paused from the
start of the reader command until the first screen has been drawn, then runs as
always; nothing is frozen, so a closed reader's cycles are still collected.
"""

from __future__ import annotations

import gc


class GcPause:
    """``pause()`` once at start, ``resume()`` once the first screen is drawn (idempotent)."""

    def __init__(self) -> None:
        self.paused = False

    def pause(self) -> None:
        if gc.isenabled():
            gc.disable()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.enable()


START = GcPause()
