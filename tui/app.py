"""The Textual app: a library of articles and a reader for tagging them."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from annotations.activity import ActiveTimer
from annotations.config import Config
from annotations.errors import UserError, os_error_line
from annotations.model import Article
from annotations.positions import position as reading_position
from annotations.session import TaggingSession
from annotations.store import Store
from annotations.text import printable
from tui.article_view import WINDOW_MIN
from tui.keymap import declared_bindings, is_label_slot, reader_keymap, with_keymap
from tui.navigation import CloseReader, OpenArticle
from tui.palette import ArticleCommands
from tui.safe_text import notify_untrusted
from tui.screens.reader import ReaderScreen
from tui.startup import START
from tui.suggestions import HELP as SUGGESTIONS_HELP
from tui.suggestions import SuggesterChanged, Suggestions, worker_store

if TYPE_CHECKING:  # ingest (sources, nlp) is imported by the import worker only
    from annotations.ingest import ImportReport
    from annotations.library_rows import KeptRows
    from annotations.pipeline_loader import PipelineLoader
    from tui.screens.library import LibraryScreen


@dataclass
class ImportProgress(Message):
    done: int
    total: int


@dataclass
class ImportPreview(Message):
    """What is processed so far of the one new article being imported (issue 9)."""

    article: Article
    done: int
    total: int


@dataclass
class ImportFinished(Message):
    report: ImportReport | None
    error: str = ""
    open_first: bool = False


@dataclass
class ExportFinished(Message):
    path: Path | None
    error: str = ""


class NewstagApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "newstag"
    COMMANDS = App.COMMANDS | {ArticleCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("question_mark,f1", "help", "Help", id="app.help", key_display="?"),
        # ctrl+c during an import stops it and quits, as q does (Textual's own ctrl+c only
        # says "press ctrl+q"); with no import running it is disabled (check_action), so
        # the key goes on to copy in an input or to Textual's hint.
        Binding("ctrl+c", "stop_import", "Stop the import and quit", id="app.stop_import",
                priority=True, show=False),
        Binding("S", "stats", "Stats", id="app.stats", show=False),
    ]

    def __init__(self, config: Config, store: Store, paths: Sequence[str | Path] = (),
                 samples: Sequence[Path] = ()) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.paths = [Path(p) for p in paths]
        self.samples = list(samples)
        # Checked before anything is shown: a label on a key the reader uses is a config error.
        self.keymap = keymap_for(config)
        self.session = TaggingSession(store, config)
        # Built when first needed: a reader opened from the command line never waits for
        # the library's module and widgets before its first screen (issue 9).
        self._library: LibraryScreen | None = None
        self.reader: ReaderScreen | None = None
        self.import_stopped = threading.Event()  # set whenever no import is running
        self.import_stopped.set()
        self._deferred_import: list[Path] = []
        # Time between keys while an article is open (annotations/activity.py).
        self.active_time = ActiveTimer(store, config.annotator)
        self.suggestions = Suggestions(self, config, store)  # built on first use (issue 10)
        self._kept_rows: KeptRows | None = None  # the library's rows (refresh_library)
        self._library_partial = False  # only the first screen's counts are read yet
        self._tidied = False  # tidy_store started
        self._preview_left = False  # escape from a preview: later previews stay away
        self._single_file = len(self.paths) == 1 and self.paths[0].is_file()
        self._known, seen = (self._imported_from(self.paths[0]) if self._single_file
                             else (None, False))
        self._loader: PipelineLoader | None = None
        if self._single_file and not seen:  # a new article: spaCy will be needed
            from annotations.pipeline_loader import PipelineLoader

            self._loader = PipelineLoader(config.model)

    @property
    def library(self) -> LibraryScreen:
        if self._library is None:
            from tui.screens.library import LibraryScreen

            self._library = LibraryScreen()
        return self._library

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.app_suspend_signal.subscribe(self, lambda _: self.save_active_time())
        to_import = self.paths or (self.samples if not self.store.article_count() else [])
        single_file, known = self._single_file, self._known
        if known is not None:
            # Already imported: show it first, before the library is even built (the
            # first screen is the reader's); once it is on screen the worker checks the
            # file for changes and reopens the article only if it was edited.
            self._deferred_import = to_import
            self.open_article(known)
            return
        self._show_library(first_screen=True)
        self.call_after_refresh(self._first_screen_drawn)
        if to_import:
            self.import_articles(to_import, open_first=single_file)

    def _first_screen_drawn(self) -> None:
        START.resume()  # tui/startup.py
        if not self._tidied:
            self._tidied = True
            self.tidy_store()

    @work(thread=True, exclusive=True, group="tidy", exit_on_error=False)
    def tidy_store(self) -> None:
        """The temp files crashed writers left, removed once the first screen is drawn
        (run_reader opens the store without: a scan of every article's and annotation's
        file name, ~20 ms at 20,000 articles, issue 14). Each has a name of its own, so
        none stops a write meanwhile; in a thread, as another process may hold the lock."""
        try:
            worker_store(self.store).tidy()
        except (UserError, OSError) as exc:  # e.g. a link among them: said, as open did
            message = str(exc) if isinstance(exc, UserError) else os_error_line(exc)
            self.call_from_thread(notify_untrusted, self, message, severity="error",
                                  timeout=10)

    def _show_library(self, first_screen: bool = False) -> None:
        """The library at the bottom of the screen stack (built the first time it is needed;
        ``first_screen``: the app's first screen, drawn before every row is read)."""
        if self.library not in self.screen_stack:
            if first_screen:
                self._first_library_rows()
            else:
                self.refresh_library()
            self.push_screen(self.library)

    def _first_library_rows(self) -> None:
        """The first screen from the kept counts of the rows it shows; every row is read
        right after it is drawn, and before any key or click reaches a screen (issue 14:
        reading every row is ~100 ms at 20,000 articles, most of the library's start)."""
        from annotations.library_rows import KeptRows

        try:
            self._kept_rows = KeptRows(self.store)
            self.library.set_rows(self._kept_rows.first(max(1, self.size.height)),
                                  complete=False)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error", timeout=10)
            return
        self._library_partial = True
        self.call_after_refresh(self._complete_library)

    def _complete_library(self) -> None:
        if self._library_partial:
            self.refresh_library()

    def _imported_from(self, path: Path) -> tuple[str | None, bool]:
        """The article imported from the text file ``path``, and whether any article was
        imported from it (a JSONL's records are ``path#id``), in one pass over the index."""
        try:
            source = str(path.resolve())
            records = f"{source}#"
            seen = False
            for s in self.store.summaries():
                if s.source_path == source:
                    return s.id, True
                seen = seen or s.source_path.startswith(records)
            return None, seen
        except (UserError, OSError):
            return None, False

    # -- library -------------------------------------------------------------
    def refresh_library(self, changed_only: bool = False) -> None:
        """The library's rows read again (``changed_only``: only those whose kept counts
        were written since, annotations/library_rows.py; all when the index changed)."""
        from annotations.library_rows import KeptRows

        self._library_partial = False  # after ``first`` nothing is stamped: all is read
        try:
            if self._kept_rows is None:
                self._kept_rows = KeptRows(self.store)
            rows = self._kept_rows.changed() if changed_only else self._kept_rows.read()
            if rows is not None:
                self.library.set_rows(rows)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error", timeout=10)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_articles(self, paths: list[Path], open_first: bool = False) -> None:
        from textual.worker import get_current_worker

        from annotations.entity_overlay import corrected_article
        from annotations.ingest import import_paths
        from annotations.nlp import ImportCancelled, load_pipeline

        worker = get_current_worker()
        self.import_stopped.clear()

        def progress(done: int, total: int) -> None:
            self.post_message(ImportProgress(done, total))

        def cancelled() -> bool:
            return worker.is_cancelled

        def preview(article: Article, done: int, total: int) -> None:
            if article.entities:  # the corrections in force, as a stored article shows them
                with contextlib.suppress(UserError, OSError):  # a bad rules file: said later
                    article = corrected_article(self.store.root, article)
            self.post_message(ImportPreview(article, done, total))

        def warn(message: str) -> None:  # e.g. the configured spaCy model is not installed
            self.call_from_thread(notify_untrusted, self, message, severity="warning",
                                  timeout=8)

        self.post_message(ImportProgress(0, 1))
        try:
            # Quitting cancels the worker; the import stops at the next batch of lines
            # (the process cannot exit before this thread ends).
            loader, self._loader = self._loader, None  # started in __init__, used once
            report = import_paths(self.store, paths,
                                  (lambda: loader.pipeline(warn, cancelled)) if loader
                                  is not None
                                  else lambda: load_pipeline(self.config.model, warn),
                                  self.config.n_process, progress=progress,
                                  cancelled=cancelled,
                                  preview=preview if open_first else None)
        except ImportCancelled:
            return
        except UserError as exc:
            self.post_message(ImportFinished(None, str(exc)))
            return
        finally:
            self.import_stopped.set()
        self.post_message(ImportFinished(report, open_first=open_first))

    def on_import_progress(self, message: ImportProgress) -> None:
        label = ("Loading spaCy and reading articles…" if message.done == 0
                 else f"Processed {message.done:,} of {message.total:,} lines")
        self.library.show_import_progress(message.done, max(message.total, 1), label)
        if self.reader is not None and self.reader.preview:
            self.reader.show_processing(message.done, message.total)

    async def on_import_preview(self, message: ImportPreview) -> None:
        """A new article opened from the command line is read while it is processed: its
        first lines at once, more as they come; tagging opens when it is stored."""
        reader = self.reader
        if reader is not None and reader.preview and reader.article.id == message.article.id:
            reader.extend_preview(message.article, message.done, message.total)
            return
        if reader is not None or self._preview_left or self.screen is not self._library:
            return  # the person went elsewhere (escape, a modal): do not pull them back
        self.reader = ReaderScreen(self.config, self.session, message.article, {}, None,
                                   preview=(message.done, message.total))
        await self.push_screen(self.reader)

    def on_import_finished(self, message: ImportFinished) -> None:
        self.library.show_import_progress(1, 1, "")
        if message.report is None:
            notify_untrusted(self, message.error, severity="error", timeout=10)
            self._end_preview()
            return
        report = message.report
        for problem in report.problems[:5]:
            notify_untrusted(self, str(problem), severity="warning", timeout=8)
        if report.orphaned:
            self.notify(f"{len(report.orphaned)} annotations lost their sentence in edited "
                        "articles; they are kept as orphaned and exported.",
                        severity="warning", timeout=8)
        new = len(report.added) + len(report.updated)
        if new:
            self.notify(f"Imported {len(report.added)} new and {len(report.updated)} "
                        f"updated articles.", timeout=4)
        self.refresh_library()
        if self.reader is not None and self.reader.preview:
            self._store_preview(report)
            return
        ids = report.added + report.updated + report.unchanged
        if message.open_first and len(ids) == 1 and self._show_when_stored(report, ids[0]):
            self.open_article(ids[0])

    def _store_preview(self, report: ImportReport) -> None:
        """The previewed article is stored (with whatever else its file held): the reader
        becomes its reader in place; anything else ends the preview."""
        reader = self.reader
        assert reader is not None
        article_id = reader.article.id
        if article_id not in report.added:
            self._end_preview()
            return
        try:
            article = self.store.load_article(article_id)
            annotations, orphans = self.store.load_annotations(article_id)
        except UserError as exc:
            notify_untrusted(self, str(exc), severity="error", timeout=10)
            self._end_preview()
            return
        reader.become_stored(article, annotations, len(orphans))

    def _end_preview(self) -> None:
        """The import failed: a preview would say "processing" for ever; back to the library."""
        if self.reader is not None and self.reader.preview:
            self._preview_left = True
            self.close_reader()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "import" and event.state == WorkerState.ERROR:
            self._end_preview()  # an unexpected failure; Textual logs it (exit_on_error off)

    def _show_when_stored(self, report: ImportReport, article_id: str) -> bool:
        """An article opened from the command line (without a preview) is shown once
        stored: in place of its older text, or over the library it was imported from;
        never in place of another article the person went on to, nor after they left it."""
        reader = self.reader
        if self._preview_left:
            return False
        if reader is None:
            return self._known is None  # a known one was open: escape left it
        return reader.article.id == article_id and article_id in report.updated

    # -- reader --------------------------------------------------------------
    # The app owns the screen stack: everything else asks for navigation with a message.
    def open_article(self, article_id: str) -> None:
        self.post_message(OpenArticle(article_id))

    def close_reader(self) -> None:
        self.post_message(CloseReader())

    async def on_open_article(self, message: OpenArticle) -> None:
        try:
            # A long article's entities and the rest of its check come right after the
            # first paint (annotations/article_start.py, issue 9); a short one is whole.
            start = self.store.open_article(message.article_id)
            if len(start.article.sentences) < WINDOW_MIN:
                start.finish()
            annotations, orphans = self.store.load_annotations(message.article_id)
            position = reading_position(self.store, message.article_id)
            if self.reader is not None and self.reader.preview:
                self._preview_left = True  # went on to another article
        except UserError as exc:
            START.resume()
            notify_untrusted(self, str(exc), severity="error", timeout=10)
            return
        await self._back_to_library(refresh=False)
        self.reader = ReaderScreen(self.config, self.session, start.article, annotations,
                                   position, orphaned=len(orphans), start=start)
        await self.push_screen(self.reader)
        self.call_after_refresh(self._first_screen_drawn)
        if self._deferred_import:
            self.call_after_refresh(self._import_deferred, self.reader)

    def _import_deferred(self, reader: ReaderScreen) -> None:
        """The file opened from the command line checked for changes, after the first
        paint; not when the reader found its article damaged (it is closing: an article
        that cannot be read was never checked, nor is it reopened)."""
        paths, self._deferred_import = self._deferred_import, []
        if paths and reader.finish():
            self.import_articles(paths, True)

    async def on_close_reader(self, message: CloseReader) -> None:
        if self.reader is not None and self.reader.preview:
            self._preview_left = True
        await self._back_to_library(refresh=True)

    async def _back_to_library(self, refresh: bool) -> None:
        """Pop whatever is above the library (a palette, a modal, the reader)."""
        if self.reader is not None:
            self.reader.remember_position()
            self.reader = None
        library = self._library  # None: never built (opened straight into a reader)
        while library in self.screen_stack and self.screen is not library:
            await self.pop_screen()
        if library not in self.screen_stack:
            # Opened straight into a reader: pop it, and the library comes up fresh.
            while len(self.screen_stack) > 1:
                await self.pop_screen()
            if not refresh:
                return  # a reader is about to be pushed: the library waits until it is needed
            self._show_library()
        elif refresh:
            self.refresh_library(changed_only=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_import":
            return not self.import_stopped.is_set()
        if action == "export" and self.reader is not None and self.reader.preview:
            return None  # not stored yet (tui/screens/reader.py, preview): shown dimmed
        return True

    async def action_stop_import(self) -> None:
        await self.action_quit()  # the worker is cancelled and stops within a batch

    async def action_quit(self) -> None:
        if self.reader is not None:
            self.reader.remember_position()
        self.save_active_time()
        self.exit()

    # -- active time and the stats screen (issue 12) ----------------------------
    async def on_event(self, event: events.Event) -> None:
        if self._library_partial and isinstance(event, events.InputEvent):
            self._complete_library()  # no key or click ever acts on the first screen's rows
        if isinstance(event, events.InputEvent) and self.reader is not None \
                and not self.reader.finish():
            return  # nor on an article only partly read; a damaged one is being closed
        key = isinstance(event, events.Key) and not event.is_forwarded
        if key and self.reader is not None and (problem := self.active_time.key()):
            notify_untrusted(self, f"Active time not saved: {problem}",
                             severity="warning", timeout=10)
        await super().on_event(event)

    def save_active_time(self) -> None:
        """Write the active time not yet written (on quit and suspend); a failure is said
        once and the time stays in memory."""
        if problem := self.active_time.try_flush():
            notify_untrusted(self, f"Active time not saved: {problem}", severity="warning")

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            current = self.reader.article.id if self.reader is not None else None
            self.push_screen(StatsScreen(self.config, self.store, current))

    # -- help, export, palette ------------------------------------------------
    def action_help(self) -> None:
        """The one help: labels with their keys and descriptions on top, then every key."""
        from tui.screens.modals import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        labels = ([(printable(x.key), x.mark, x.name, x.description) for x in self.config.labels]
                  if isinstance(screen, ReaderScreen) else [])
        rows = []
        seen = set()
        # The keys as the keymap left them: what a key press will find.
        bindings = with_keymap(declared_bindings(type(screen)), self.keymap)
        for binding in bindings:
            if (binding.description and binding.action not in seen
                    and not is_label_slot(binding.id or "")):
                seen.add(binding.action)
                keys = [b.key for b in bindings if b.action == binding.action]
                # Every key, not the footer's short form ("⏎" hid space).
                display = ", ".join(self.get_key_display(Binding(k, "")) for k in keys)
                rows.append((display, binding.description))
        rows += [("?, f1", "This help"), ("ctrl+p", "Command palette: open an article, "
                                                   "export, filter, theme"),
                 ("ctrl+q", "Quit"), ("S", "Stats: progress, labels per annotator, "
                                            "active time, tags per day")]
        notes = [SUGGESTIONS_HELP] if labels and self.suggestions.enabled else []
        self.push_screen(HelpScreen(rows, labels, notes))

    def action_export(self) -> None:
        """A dialog for the format and the file; the last choice is the default."""
        if self.reader is not None and self.reader.preview:
            self.notify("Still processing this article: export when it is stored.", timeout=3)
            return  # the palette's Export… comes here without check_action
        from tui.screens.export import ExportScreen
        from tui.settings import load_export_choice

        if isinstance(self.screen, ExportScreen):
            return

        def chosen(result: tuple[str, Path] | None) -> None:
            if result is not None:
                fmt, path = result
                self.notify("Exporting…", timeout=2)
                self.export_to(fmt, path)

        self.push_screen(ExportScreen(load_export_choice(self.store.root)), chosen)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export_to(self, fmt: str, path: Path) -> None:
        from annotations.interchange import write_export
        from tui.settings import ExportChoice, save_export_choice

        try:
            write_export(self.store, self.config, fmt, path)
        except (UserError, OSError) as exc:
            self.post_message(ExportFinished(None, str(exc)))
            return
        with contextlib.suppress(OSError, UserError):  # a preference; the export is written
            save_export_choice(self.store.root, ExportChoice(fmt, str(path.parent)))
        self.post_message(ExportFinished(path))

    def on_export_finished(self, message: ExportFinished) -> None:
        if message.path is None:
            notify_untrusted(self, f"Export failed: {message.error}", severity="error")
        else:
            # The path on a line of its own, so a toast never folds it mid-name.
            notify_untrusted(self, f"Exported to\n{message.path}", timeout=8)

    def on_suggester_changed(self, message: SuggesterChanged) -> None:
        """A new suggester (tui/suggestions.py): the reader and the library re-score."""
        if self.reader is not None:
            self.reader.suggester_changed()
        if self._library is not None:  # a library built later starts with no gains
            self._library.suggester_changed()

    def get_system_commands(self, screen):
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # one help: ours (? / F1), not Textual's keys panel
                yield command
        yield SystemCommand("Help", "Labels, their keys and every key", self.action_help)
        yield SystemCommand("Export…", "Export annotations: choose the format and the file",
                            self.action_export)
        yield SystemCommand("Open article…", "Go to the library to choose an article",
                            self.close_reader)
        if isinstance(screen, ReaderScreen):
            yield SystemCommand("Toggle entity panel", "Show or hide the article's entities",
                                screen.action_toggle_entity_panel)
            yield SystemCommand("Toggle entity highlighting", "Switch highlighting on or off",
                                screen.action_toggle_highlight)
            yield SystemCommand("Filter sentences", "Show only some sentences",
                                screen.action_filter)
        # "Open: <title>" entries come from ArticleCommands: titles are untrusted text.


def keymap_for(config: Config) -> dict[str, str]:
    """The config's keys checked against every binding active in the reader (ConfigError)."""
    palette = Binding(NewstagApp.COMMAND_PALETTE_BINDING, "command_palette", "Command palette")
    return reader_keymap(config, [*declared_bindings(ReaderScreen, NewstagApp), palette])


def run_reader(config: Config, db: Path, paths: Sequence[str]) -> int:
    from annotations.sources import sample_paths

    keymap_for(config)  # before the database is opened or created

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UserError(f"{missing[0]}: no such file or folder")
    store = Store.open(db, annotator=config.annotator, tidy=False)  # the app tidies
    app = NewstagApp(config, store, paths, samples=sample_paths())
    app.run()
    with contextlib.suppress(UserError, OSError):  # however it ended; said in the app if not
        app.active_time.flush()
    return app.return_code or 0
