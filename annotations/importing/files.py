"""What every annotation-file reader shares: reading, JSON lines, schema errors.

A reader parses and validates the WHOLE file before anything is written, and a
bad file ends in one ``ImportFileError`` line: the file, where in it, what is
wrong, and the bad value echoed through ``errors.brief``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from annotations.errors import UserError, brief
from annotations.identity import GOLD, annotator_problem
from annotations.placing import Incoming, iso, moment
from annotations.sources import SourceDocument
from annotations.text import LONE_SURROGATE

# No sentence is longer than a source line spaCy accepts (1,000,000 characters);
# an article's lines may be longer (they go to spaCy in pieces, annotations.nlp).
MAX_TEXT = 1_000_000
# An annotation file is read whole: beyond this it is refused, not read into memory.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_LINE = 10 * MAX_TEXT
MAX_OFFSET = 10**9
# datetime reaches the year 9999; later (or non-finite) timestamps are refused.
MAX_TIMESTAMP = 253402300800


class ImportFileError(UserError):
    def __init__(self, path: Path, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


@dataclass(slots=True)
class ParsedFile:
    """An annotation file read and validated in full; nothing written yet."""

    path: Path
    incoming: list[Incoming]
    file_time: str  # the file's modification time, for records without their own
    new_articles: list[SourceDocument] = field(default_factory=list)
    names_articles: bool = False  # an article it names but the database lacks is reported
    skipped: int = 0
    entity_rules: list = field(default_factory=list)  # entity_rule.Rule, from a YAML export


def read_text(path: Path) -> str:
    """The text of an annotation file, or an error naming the file.

    Any readable path that is not a folder: a FIFO or ``<(command)`` too, so the
    size is checked on what was read, not on what ``stat`` says.
    """
    try:
        if path.is_dir():
            raise ImportFileError(path, "", "is a folder, not an annotation file")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ImportFileError(path, "", f"larger than {MAX_FILE_BYTES // 2**20:,} MB "
                                  "(split it into smaller files)")
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(path, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, "", f"cannot read ({exc})") from None


def file_time(path: Path) -> str:
    try:
        return iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    except (OSError, OverflowError, ValueError):  # gone since it was read, or absurd
        return iso(datetime.now(UTC))


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for every non-blank line.

    Lines are split on "\\n" only: str.splitlines() also splits inside a sentence
    at U+2028, U+0085 and other Unicode line breaks, which JSON leaves unescaped.
    """
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        if len(line) > MAX_LINE:
            raise ImportFileError(path, where, f"a line of {len(line):,} characters "
                                  f"(at most {MAX_LINE:,})")
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFileError(path, where, f"invalid JSON ({exc.msg}, column "
                                  f"{exc.colno})") from None
        except RecursionError:
            raise ImportFileError(path, where, "values nested too deeply") from None
        except ValueError:  # an integer past Python's 4,300-digit limit
            raise ImportFileError(path, where, "a number too long to read") from None


def validate(model: type[BaseModel], value: Any, path: Path, where: str) -> Any:
    """``value`` checked against ``model``; the first problem as one line."""
    try:
        return model.model_validate(value)
    except SchemaError as exc:
        error = exc.errors(include_url=False)[0]
        at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        at = ": ".join(x for x in (where, at.lstrip(".")) if x)
        message = error["msg"].removeprefix("Value error, ")
        raise ImportFileError(path, at, f"{message} (got {brief(error.get('input'))})") from None
    except RecursionError:
        raise ImportFileError(path, where, "values nested too deeply") from None


class Strict(BaseModel):
    """Types as written (no "3" for 3); unknown keys are allowed and ignored."""

    model_config = ConfigDict(strict=True, extra="allow")


def _no_surrogates(value: str) -> str:
    if LONE_SURROGATE.search(value):
        raise ValueError("holds a lone surrogate (not valid Unicode text)")
    return value


def _annotator(value: str, gold: bool) -> str:
    if value and not (gold and value == GOLD) and (problem := annotator_problem(value)):
        raise ValueError(f"not a usable annotator name ({problem})")
    return value


def _stamp(value: Any) -> Any:
    if isinstance(value, datetime):  # YAML reads an unquoted time as a datetime
        return iso(value)  # held at year 9999 if UTC is past it; clamped when merged
    if isinstance(value, str) and value and moment(value) is None:
        raise ValueError("must be a date and time (ISO 8601)")
    return value


def _scalar_text(value: Any) -> Any:
    """Titles, sources and dates: YAML may read `2024` or `2024-05-01` as non-strings."""
    if isinstance(value, int | date) and not isinstance(value, bool):
        return str(value)
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Text = Annotated[str, AfterValidator(_no_surrogates)]
# The name a record gives its annotator becomes a layer of the database (and a row of
# stats and agreement): a colleague's file must not make a layer no one could be called
# (a control character, 10 MB, spaces around it, the reserved @ names). Empty: the file
# names nobody (the importer's). @gold only on a YAML gold record (yaml_export).
Annotator = Annotated[Text, AfterValidator(lambda v: _annotator(v, gold=False))]
GoldAnnotator = Annotated[Text, AfterValidator(lambda v: _annotator(v, gold=True))]
SentenceText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT),
                         AfterValidator(_no_surrogates)]
Label = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_surrogates)]
Stamp = Annotated[str, BeforeValidator(_stamp)]
ScalarText = Annotated[Text, BeforeValidator(_scalar_text)]
ArticleId = Annotated[Text, Field(min_length=1, max_length=1000), BeforeValidator(_scalar_text)]
ArticleText = Text  # any line length: the article import splits long lines for spaCy
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Timestamp = Annotated[float, AfterValidator(_finite), Field(ge=0, lt=MAX_TIMESTAMP)]
