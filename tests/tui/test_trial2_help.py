"""The reader's help (`?`) as a newcomer reads it on an ordinary terminal: every key in it
can be scrolled into view, the last ones (`t` corrections, `S` stats) included."""

from __future__ import annotations

import pytest

from tests.tui.test_newcomer import open_main, screen_text


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_every_help_row_can_be_scrolled_into_view(app_factory, main_id, size):
    from tui.screens.modals import HelpScreen

    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # The scrolling part of the help fits inside its dialog: none of it is cut off
        # below the frame where no scroll can reach it.
        dialog = app.screen.query_one("#help-dialog").content_region
        body = app.screen.query_one("#help-body").region
        assert body.bottom <= dialog.bottom, (body, dialog)
        assert "escape closes" in screen_text(app)
        # End (or the last page) brings the last rows on screen.
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "Correct entities" in text, text
        assert "Stats: progress" in text, text
