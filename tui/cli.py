"""The newstag command line. Headless commands import neither Textual nor spaCy."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from annotations.config import Config, load_config
from annotations.errors import ArgumentError, UserError, brief, os_error_line
from annotations.paths import resolve_db_path
from annotations.store import Store
from tui.output import err as _err
from tui.output import json_out as _json
from tui.output import json_rows as _json_rows
from tui.output import json_text as _json_text
from tui.output import note as _note
from tui.output import out as _out
from tui.output import warn as _warn

COMMANDS = ("import", "list", "show", "tag", "export", "import-annotations", "stats",
            "doctor", "entities", "entity", "train", "suggest", "agreement")
PROGRESS_MIN_LINES = 2000


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentError(f"{self.prog}: {message}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"newstag {version('newstag')}"
    except PackageNotFoundError:  # run from a clone without installing
        return "newstag (not installed)"


def _common(default: object = None) -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="database folder", default=default)
    common.add_argument("--config", metavar="PATH", help="config.yaml to use", default=default)
    common.add_argument("--annotator", metavar="NAME", default=default,
                        help="the name recorded on writes (else $NEWSTAG_ANNOTATOR, config, login)")
    return common


class _VersionAction(argparse.Action):
    """--version, looked up only when asked: importlib.metadata costs every start ~15 ms."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> NoReturn:
        print(_version())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from annotations.interchange import EXPORT_NAMES, IMPORT_NAMES

    # Subcommands must not reset --db / --config given before the command name.
    common = _common(default=argparse.SUPPRESS)
    parser = Parser(prog="newstag", parents=[_common()],
                    description="Read news articles with entities highlighted and tag sentences.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    p = sub.add_parser("import", parents=[common], help="import and process articles")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--samples", action="store_true", help="import the bundled sample articles")

    p = sub.add_parser("list", parents=[common], help="list articles")
    p.add_argument("--json", action="store_true")
    from tui.list_output import add_arguments as add_list_arguments

    add_list_arguments(p)

    p = sub.add_parser("show", parents=[common], help="show an article's sentences")
    p.add_argument("article", metavar="ARTICLE")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("tag", parents=[common], help="set the labels of a sentence")
    p.add_argument("article", nargs="?", metavar="ARTICLE")
    p.add_argument("index", nargs="?", metavar="INDEX")
    p.add_argument("labels", nargs="*", metavar="LABEL")
    p.add_argument("--none", action="store_true", help="reviewed, no label applies")
    p.add_argument("--clear", action="store_true", help="back to unreviewed")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="one operation per line: ARTICLE INDEX [LABEL ...|--none|--clear]")

    # Its own copy of the common options: "resolve" edits the --annotator it replaces.
    p = sub.add_parser("export", parents=[_common(default=argparse.SUPPRESS)],
                       help="export annotations", conflict_handler="resolve")
    from tui.export_layer import add_layer_option

    add_layer_option(p)  # --annotator after `export` also names the layer
    p.add_argument("-f", "--format", default="yaml", choices=EXPORT_NAMES)
    p.add_argument("-o", "--output", metavar="FILE", default="-")
    p.add_argument("--article", action="append", default=[], metavar="ID")
    p.add_argument("--label", action="append", default=[], metavar="L")
    p.add_argument("--sentences", choices=["reviewed", "annotated", "all"],
                   help="which sentences (default: yaml all annotated, others reviewed)")
    p.add_argument("--reviewed-only", dest="sentences", action="store_const",
                   const="reviewed", help="same as --sentences reviewed")
    p.add_argument("--all", dest="sentences", action="store_const", const="all",
                   help="same as --sentences all (unreviewed sentences too)")
    p.add_argument("--entities", action="store_true",
                   help="doccano: the sequence-labelling form (entities as labels)")
    p.add_argument("--no-text", action="store_true", help="yaml: leave out the article texts")
    p.add_argument("--gold", action="store_true", help="the adjudicated layer, else sentences "
                   "all annotators agree on (--annotator NAME: that annotator's layer)")

    p = sub.add_parser("import-annotations", parents=[common], help="import an export file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-f", "--format", default="yaml", choices=IMPORT_NAMES)
    p.add_argument("--overwrite", action="store_true",
                   help="the file wins over newer changes in the database")

    p = sub.add_parser("stats", parents=[common], help="counts per label and article")
    p.add_argument("--json", action="store_true")
    p.add_argument("--articles", action="store_true",
                   help="a line per reviewed article, on a terminal too (piped: always)")

    p = sub.add_parser("doctor", parents=[common], help="check the database; --repair fixes it")
    p.add_argument("--repair", action="store_true",
                   help="restore damaged files from the newest good backup")

    from tui.entity_commands import add_parsers as add_entity_parsers

    add_entity_parsers(sub, common)
    from tui.cli_suggest import add_parsers as add_suggest_parsers

    add_suggest_parsers(sub, common)
    p = sub.add_parser("agreement", parents=[common],
                       help="inter-annotator agreement (kappa, alpha, MASI alpha)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--label", action="append", default=[], metavar="L")
    p.add_argument("--annotators", nargs="+", default=[], metavar="A")
    return parser


def build_reader_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="newstag", parents=[_common()],
                    description="Open the reader. Commands: " + ", ".join(COMMANDS),
                    epilog="Run 'newstag COMMAND --help' for a command.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="article files or folders")
    parser.add_argument("--version", action=_VersionAction)
    return parser


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--db", "--config", "--annotator"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if _first_positional(argv) in COMMANDS:
            args = build_parser().parse_args(argv)
        else:
            args = build_reader_parser().parse_args(argv)
            args.command = None
        return run(args)
    except UserError as exc:
        _err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("newstag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # A full disk, a read-only folder, a permission: every write is atomic (temp file,
        # fsync, rename), so each file is its old or its new version; say where and why.
        _err(os_error_line(exc))
        return 2


def run(args: argparse.Namespace) -> int:
    from annotations.identity import with_identity

    config = with_identity(load_config(args.config), args.annotator)
    db = resolve_db_path(args.db, config.database)
    handler = {
        None: cmd_reader, "import": cmd_import, "list": cmd_list, "show": cmd_show,
        "tag": cmd_tag, "export": cmd_export, "import-annotations": cmd_import_annotations,
        "stats": cmd_stats, "doctor": cmd_doctor, "agreement": cmd_agreement,
        "entities": cmd_entities, "entity": cmd_entity,
        "train": cmd_train, "suggest": cmd_suggest,
    }[args.command]
    return handler(args, config, db)


def _read_store(db: Path, annotator: str | None = None) -> Store:
    return Store.open(db, create=False, annotator=annotator)


# -- commands -----------------------------------------------------------------
def cmd_reader(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.startup import START

    START.pause()  # until the first screen is drawn (tui/startup.py)
    from tui.app import run_reader  # Textual only for the reader

    return run_reader(config, db, args.paths)


def cmd_import(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.ingest import import_paths
    from annotations.sources import sample_paths

    paths = list(args.paths) + (sample_paths() if args.samples else [])
    if not paths:
        raise ArgumentError("newstag import: name files or folders to import (or --samples)")
    store = Store.open(db)
    report = import_paths(store, paths, lambda: _load_nlp(config), config.n_process,
                          progress=_progress_reporter())
    for problem in report.problems:
        _warn(str(problem) + ("; skipped" if problem.skipped else ""))
    for orphan in report.orphaned[:5]:
        _warn(f"article {orphan.article_id}: sentence no longer in the text, annotation kept "
              f"as orphaned: {brief(orphan.text, 80)}")
    if len(report.orphaned) > 5:
        _warn(f"... and {len(report.orphaned) - 5} more orphaned annotations")
    parts = [f"{len(report.added)} new", f"{len(report.updated)} updated",
             f"{len(report.unchanged)} unchanged"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    summary = f"imported into {db}: " + ", ".join(parts)
    if report.updated:
        summary += f"; {report.moved} annotations kept, {len(report.orphaned)} orphaned"
    _out(summary)
    if not report.imported_any:
        _err("nothing could be imported")
        return 2
    return 0


def _load_nlp(config: Config):
    from annotations.nlp import load_pipeline

    return load_pipeline(config.model, warn=_warn)


def _progress_reporter():
    """A rich progress bar on a terminal, once the job is big enough to wait for."""
    if not sys.stderr.isatty():
        return None
    state: dict = {}

    def report(done: int, total: int) -> None:
        if "bar" not in state:
            if total < PROGRESS_MIN_LINES:
                return
            from rich.progress import Progress

            bar = Progress(transient=True, console=None)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("processing lines", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return report


def cmd_list(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.list_output import list_articles

    return list_articles(args, _read_store(db), db)


def cmd_show(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.stats import sentence_rows

    store = _read_store(db, config.annotator)
    article = store.load_article(store.resolve(args.article).id)
    rows = sentence_rows(article, store.annotations(article.id))
    if args.json:
        _json({"id": article.id, "title": article.title, "source": article.source,
               "published": article.published, "sentences": rows})
        return 0
    _out(f"{article.title}  [{article.id}]")
    marks = [",".join(r["labels"]) or ("-" if r["state"] == "reviewed" else " ") for r in rows]
    # As wide as the widest label list, so the texts start in one column.
    width = max((len(m) for m, r in zip(marks, rows, strict=True) if not r["heading"]),
                default=1)
    number = max(4, len(str(len(rows) - 1)))
    for r, mark in zip(rows, marks, strict=True):
        if r["heading"]:
            _out(f"{r['index']:>{number}}  {'#' * 2:<{width + 2}} {r['text']}")
            continue
        note = f"  (note: {r['note']})" if r["note"] else ""
        _out(f"{r['index']:>{number}}  [{mark:<{width}}] {r['text']}{note}")
    from tui.layer_hint import layer_hint

    if hint := layer_hint(store.load_layers(article.id), config.annotator):
        _note(hint)  # stderr: why an article others tagged shows no tags
    return 0


def cmd_tag(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.tagging import apply_changes, check_located, parse_change, read_tag_file

    if args.from_file:
        if args.article or args.labels or args.none or args.clear or args.note is not None:
            raise ArgumentError("newstag tag: --from cannot be combined with other arguments")
        located = read_tag_file(Path(args.from_file))
    else:
        located = [("newstag tag", parse_change(args.article, args.index, args.labels, args.none,
                                           args.clear, args.note, "newstag tag"))]
    if not Store(db).exists:
        raise UserError(f"{db}: no database here yet (import articles first)")
    store = Store.open(db, annotator=config.annotator)
    if args.from_file:
        check_located(store, config, located)
    count = apply_changes(store, config, [change for _, change in located])
    if args.from_file:
        print(f"tagged {count} sentences")
    return 0


def cmd_export(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.interchange import write_export
    from annotations.tagging import check_labels

    check_labels(config, args.label)
    store = _read_store(db, config.annotator)
    out = None if args.output == "-" else Path(args.output)
    message = write_export(store, config, args.format, out, args.article, args.label,
                           args.sentences, include_text=not args.no_text,
                           entities=args.entities, layer=_export_layer(args))
    if message:
        _note(message)  # stderr: stdout may hold the data
    return 0


def _export_layer(args: argparse.Namespace) -> str | None:
    """--gold, or the layer of an --annotator NAME given after `export`."""
    from annotations.identity import GOLD
    from tui.export_layer import export_layer

    return export_layer(args, GOLD)


def cmd_import_annotations(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations import importing
    from annotations.interchange import read_file

    # The whole file is read and validated before the database is opened.
    parsed = read_file(Path(args.file), args.format)
    store = Store.open(db, annotator=config.annotator)
    report = importing.apply(store, parsed, config.label_names, config.annotator,
                             lambda: _load_nlp(config), overwrite=args.overwrite)
    if report.unknown_labels:
        _warn(f"labels not in {config.path}: {', '.join(sorted(report.unknown_labels))} "
              "(kept; add them to the config to tag with them)")
    for article_id in report.missing_articles:
        _warn(f"article {article_id} is not in the database and the file has no text for it; "
              "its annotations were placed by text where possible (import the article first)")
    for orphan in report.orphaned[:5]:
        where = f"article {orphan.article_id}" if orphan.article_id else "no article"
        _warn(f"{where}: no sentence with this text, kept as "
              f"{'orphaned' if orphan.article_id else 'unplaced'}: {brief(orphan.text, 80)}")
    if len(report.orphaned) > 5:
        _warn(f"... and {len(report.orphaned) - 5} more")
    if report.skipped:
        _warn(f"{report.skipped} records without an answer (or ignored) were skipped")
    conflicts = ""
    if report.conflicts:
        conflicts = (f", {report.conflicts} conflict{'s' if report.conflicts > 1 else ''} "
                     "kept local (the database's change is newer; --overwrite takes the file's)")
    if report.ambiguous:
        conflicts += (f", {len(report.ambiguous)} ambiguous kept unplaced (no article named, "
                      "the text is in several articles)")
    _out(f"imported {report.placed} annotations into {db}"
         f" ({len(report.created_articles)} articles created, {len(report.orphaned)} unplaced, "
         f"{report.unchanged} unchanged{conflicts})")
    if report.entity_rules:
        _out(f"{report.entity_rules} entity rules new or changed (see 'newstag entity rules')")
    return 0


def cmd_stats(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.stats import compute_stats, summary_stats

    store = _read_store(db)
    if args.json:  # the kept totals and rows (annotations/stats_document.py)
        from annotations.stats_document import stats_json_text

        if (text := stats_json_text(store, config)) is None:
            _json_rows(compute_stats(store, config))
        else:
            _json_text(text)
        return 0
    stats = summary_stats(store, config)  # the kept totals: flat with the corpus
    pct = f"{stats['progress'] * 100:.1f}%"
    print(f"{stats['articles']} articles, {stats['sentences']} sentences, "
          f"{stats['reviewed']} reviewed ({pct}), {stats['tagged']} tagged, "
          f"{stats['none_apply']} none apply, {stats['orphaned']} orphaned")
    for label, n in stats["labels"].items():  # labels may come from imports
        _out(f"  {label:<12} {n}")
    from tui.stats_output import print_article_lines

    print_article_lines(store, args.articles)
    from annotations.progress import progress_lines

    for line in progress_lines(stats):  # per annotator, per day, active time (issue 12)
        _out(line)
    return 0


def cmd_doctor(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.backup import backups
    from annotations.doctor import check
    from annotations.repair import repair

    findings = check(db)
    if args.repair and findings:
        findings = repair(db, findings)
    for finding in findings:
        _out(str(finding))
    kept = backups(db)
    unresolved = [f for f in findings if f.needs_repair]
    if not findings:
        _out(f"{db}: healthy ({len(Store(db).summaries())} articles, {len(kept)} backups)")
    elif unresolved and not args.repair:
        _out(f"{len(unresolved)} problems; 'newstag doctor --repair' restores damaged files "
             f"from the newest good backup ({len(kept)} kept in {db / 'backups'})")
    return 1 if unresolved else 0


def cmd_entities(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.entity_commands import cmd_entities as run_entities

    return run_entities(args, config, _read_store(db))


def cmd_entity(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.entity_commands import cmd_entity as run_entity

    return run_entity(args, config, db)


def cmd_train(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.cli_suggest import cmd_train as train

    return train(args, config, db)


def cmd_suggest(args: argparse.Namespace, config: Config, db: Path) -> int:
    from tui.cli_suggest import cmd_suggest as suggest

    return suggest(args, config, db)


def cmd_agreement(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.agreement import agreement
    from annotations.tagging import check_labels

    check_labels(config, args.label)
    report = agreement(_read_store(db), args.label or config.label_names, args.annotators)
    if args.json:
        _json(report)
        return 0

    def show(value: object) -> str:
        return "  n/a" if value is None else f"{value:5.3f}"

    _out(f"{report['sentences']} sentences reviewed by two or more of: "
         f"{', '.join(report['annotators']) or 'nobody yet'}")
    kind = "Cohen's" if len(report["annotators"]) == 2 else "Fleiss'"
    _out(f"  {'label':<12} {kind + ' k':>10} {'alpha':>7} {'agree':>7} {'n':>6}")
    for label, row in report["labels"].items():
        _out(f"  {label:<12} {show(row['kappa']):>10} {show(row['alpha']):>7} "
             f"{show(row['percent']):>7} {row['n']:>6}")
    _out(f"  label sets: alpha (MASI) {show(report['alpha_masi'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
