"""Every file format newstag writes or reads, by the name ``-f`` takes.

One registry for the CLI (``export -f``, ``import-annotations -f``), the reader's export
dialog and the annotation importers: a format's writer, reader, file extension and
whether it is binary. ``write_export`` is the one way an export reaches a file or stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotations import formats
from annotations.atomic_io import write_output
from annotations.config import Config
from annotations.errors import ArgumentError, UserError, brief
from annotations.export import export_yaml
from annotations.layer_choice import ALL
from annotations.selection import ExportFilter, iter_rows
from annotations.store import Store
from annotations.text import json_for_terminal, printable

if TYPE_CHECKING:
    from annotations.importing.files import ParsedFile
    from annotations.placing import ImportReport


@dataclass(frozen=True, slots=True)
class Written:
    data: str | bytes
    sentences: int | None = None  # told to the user when nothing can be looked at (binary)


Writer = Callable[[Store, Config, ExportFilter], Written]
Reader = Callable[[Path], "ParsedFile"]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    extension: str
    write: Writer
    read: Reader | None = None
    binary: bool = False
    json_lines: bool = False  # on a terminal: JSON escapes, so every line still parses
    sentences: str = "reviewed"  # the default selection
    aliases: tuple[str, ...] = ()  # other names import-annotations -f takes
    kind: str = ""  # what a binary file is, for the message that asks for -o


def _yaml(store: Store, config: Config, selection: ExportFilter) -> Written:
    return Written(export_yaml(store, config, selection))


def _prodigy(store: Store, config: Config, selection: ExportFilter) -> Written:
    return Written(formats.export_jsonl(iter_rows(store, selection),
                                        lambda row: formats.prodigy_task(row, config)))


def _doccano(store: Store, config: Config, selection: ExportFilter) -> Written:
    return Written(formats.export_jsonl(
        iter_rows(store, selection), lambda row: formats.doccano_record(row, selection.entities)))


def _csv(store: Store, config: Config, selection: ExportFilter) -> Written:
    return Written(formats.export_csv(iter_rows(store, selection), config))


def _docbin(store: Store, config: Config, selection: ExportFilter) -> Written:
    rows = list(iter_rows(store, selection))  # bad article refs are refused before spaCy loads
    data, count = formats.docbin_bytes(rows, config)
    return Written(data, count)


# The readers validate with pydantic: imported when a file is read, so that the headless
# commands (list, tag, export) start without it.
def _read_yaml(path: Path) -> ParsedFile:
    from annotations.importing import yaml_export

    return yaml_export.read(path)


def _read_prodigy(path: Path) -> ParsedFile:
    from annotations.importing import prodigy

    return prodigy.read(path)


def _read_doccano(path: Path) -> ParsedFile:
    from annotations.importing import doccano

    return doccano.read(path)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("yaml", ".yaml", _yaml, _read_yaml, sentences="annotated"),
    Format("jsonl", ".jsonl", _prodigy, _read_prodigy, json_lines=True, aliases=("prodigy",)),
    Format("doccano", ".doccano.jsonl", _doccano, _read_doccano, json_lines=True),
    Format("spacy", ".spacy", _docbin, binary=True, kind="a DocBin"),
    Format("csv", ".csv", _csv),
)}
EXPORT_NAMES = list(FORMATS)
# Aliases first: "prodigy" is the name people know the JSONL task format by.
IMPORT_NAMES = [name for f in FORMATS.values() if f.read for name in (*f.aliases, f.name)]


def reader_for(name: str) -> Reader:
    for f in FORMATS.values():
        if f.read is not None and name in (f.name, *f.aliases):
            return f.read
    raise ArgumentError(f"cannot import from {brief(name)} (use {', '.join(IMPORT_NAMES)})")


def read_file(path: Path, fmt: str) -> ParsedFile:
    """The whole file, validated; raises ``ImportFileError`` naming the file and place."""
    from annotations.importing import ImportFileError

    read = reader_for(fmt)
    if not path.exists():  # a FIFO or <(command) is fine: files.read_text reads any file
        raise ImportFileError(path, "", "no such file")
    return read(path)


def import_file(store: Store, path: Path, fmt: str, label_names: list[str], annotator: str,
                load_nlp: Callable[[], object], overwrite: bool = False) -> ImportReport:
    from annotations.importing import apply

    return apply(store, read_file(path, fmt), label_names, annotator, load_nlp, overwrite)


def _for_terminal(text: str, fmt: Format) -> str:
    """An export shown on a terminal: nothing in it may act on the terminal.

    Only when stdout is a terminal; a pipe or a file gets the data exactly. JSON lines
    keep parsing (the characters become \\u escapes inside their strings); CSV and YAML
    get the visible symbols of the one sanitising path.
    """
    if fmt.json_lines:
        return json_for_terminal(text)
    return printable(text.replace("\r\n", "\n"), multiline=True)


def write_export(store: Store, config: Config, fmt: str, out: Path | None,
                 articles: Sequence[str] = (), labels: Sequence[str] = (),
                 sentences: str | None = None, include_text: bool = True,
                 entities: bool = False, layer: str | None = None) -> str:
    """Export in ``fmt`` to ``out`` (stdout when None); what to tell the user, if anything.

    ``layer`` (annotations/layer_choice.py): None is YAML's every layer, the other
    formats' what the current annotator sees.

    Shared by `newstag export` and the reader's export dialog.
    """
    form = FORMATS[fmt]
    selection = ExportFilter(list(articles), list(labels), include_text=include_text,
                             sentences=sentences or form.sentences, entities=entities,
                             layer=layer if layer is not None or fmt != "yaml" else ALL)
    if out is not None and out.is_dir():
        raise UserError(f"{out}: is a folder; name a file to export to")
    if form.binary and out is None:
        raise ArgumentError(f"newstag export -f {fmt}: {form.kind} is binary; "
                            f"give -o FILE{form.extension}")
    written = form.write(store, config, selection)
    if out is None:
        assert isinstance(written.data, str)
        text = written.data
        sys.stdout.write(_for_terminal(text, form) if sys.stdout.isatty() else text)
        return ""
    data = written.data.encode("utf-8") if isinstance(written.data, str) else written.data
    try:
        write_output(out, data)  # into a FIFO or device, never replacing it
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror or exc})") from None
    if written.sentences is not None:
        return f"exported {plural(written.sentences, 'sentence')} to {out}"
    return f"exported to {out}"


def plural(count: int, word: str) -> str:
    return f"{count} {word if count == 1 else word + 's'}"
