"""Read articles from .txt / .md files, JSONL and folders, reporting each bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotations.errors import brief
from annotations.paths import samples_folder
from annotations.text import LONE_SURROGATE, is_heading_line, normalise_newlines

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
JSONL_SUFFIXES = {".jsonl"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES
MAX_ID_CHARS = 200


@dataclass(slots=True)
class SourceDocument:
    """An article as read from its source, before NLP."""

    text: str
    title: str
    source_path: str
    given_id: str = ""
    source: str = ""
    published: str = ""
    # Whether source_path names this article from one import to the next. A JSONL
    # line without an id is named by its line number, which an inserted line shifts:
    # such a line is known by its text only.
    path_is_identity: bool = True


@dataclass(slots=True)
class SourceProblem:
    """One input that could not be read (or was read with a caveat)."""

    where: str
    problem: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | SourceProblem]:
    """Files named directly, and every supported file below a folder, in sorted order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                yield SourceProblem(str(path), "no .txt, .md, .jsonl or .html files in this folder")
            yield from found
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                yield path
            else:
                suffix = brief(path.suffix) if path.suffix else "(none)"
                yield SourceProblem(str(path), f"unsupported file type {suffix}"
                                    " (use .txt, .md, .jsonl or .html)")
        else:
            yield SourceProblem(str(path), "no such file or folder")


def read_sources(paths: Iterable[str | Path]) -> Iterator[SourceDocument | SourceProblem]:
    for item in expand_paths(paths):
        if isinstance(item, SourceProblem):
            yield item
            continue
        decoded = _decode(item)
        if isinstance(decoded, SourceProblem):
            yield decoded
            continue
        text, warning = decoded
        if warning:
            yield warning
        suffix = item.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            yield from read_jsonl(item, text)
        elif suffix in HTML_SUFFIXES:
            yield from read_html(item, text)
        else:
            yield from read_text_file(item, text)


def read_text_file(path: Path, text: str) -> Iterator[SourceDocument | SourceProblem]:
    title = _title_from_text(text, path.suffix.lower()) or _title_from_name(path)
    yield SourceDocument(text=text, title=title, source_path=str(path.resolve()),
                         source=path.name)


def read_jsonl(path: Path, content: str) -> Iterator[SourceDocument | SourceProblem]:
    resolved = str(path.resolve())
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceProblem(where, f"invalid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield SourceProblem(where, "invalid JSON (nested too deeply)")
            continue
        except ValueError as exc:  # an integer past Python's 4,300-digit limit
            yield SourceProblem(where, f"invalid JSON ({str(exc)[:60]})")
            continue
        if not isinstance(record, dict):
            yield SourceProblem(where, "expected a JSON object with a \"text\" field")
            continue
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            yield SourceProblem(where, "missing or empty \"text\"")
            continue
        given_id = record.get("id", "")
        if isinstance(given_id, bool) or not isinstance(given_id, str | int):
            yield SourceProblem(where, f"\"id\" must be a string or number, got {brief(given_id)}")
            continue
        given_id = given_id if isinstance(given_id, str) else str(given_id)
        if len(given_id) > MAX_ID_CHARS:
            yield SourceProblem(where, f"\"id\" is longer than {MAX_ID_CHARS} characters")
            continue
        fields = {k: record.get(k) for k in ("title", "source", "url", "published")}
        bad = [k for k, v in fields.items() if v is not None and not isinstance(v, str)]
        if bad:
            yield SourceProblem(where, f"\"{bad[0]}\" must be a string, got "
                                f"{brief(fields[bad[0]])}")
            continue
        strings = [text, given_id, *(v for v in fields.values() if v)]
        # A lone surrogate (JSON's "\ud800") becomes U+FFFD with a warning.
        if any(LONE_SURROGATE.search(v) for v in strings):
            yield SourceProblem(where, "lone surrogate escapes (\\ud800-\\udfff) replaced by "
                                "U+FFFD", skipped=False)
            text = LONE_SURROGATE.sub("\ufffd", text)
            given_id = LONE_SURROGATE.sub("\ufffd", given_id)
            fields = {k: LONE_SURROGATE.sub("\ufffd", v) if v else v for k, v in fields.items()}
        text = normalise_newlines(text)
        given_id = given_id.strip()
        yield SourceDocument(
            text=text,
            title=(fields["title"] or "").strip() or _title_from_text(text, ".txt")
            or f"{path.stem} #{number}",
            source_path=f"{resolved}#{given_id}" if given_id != "" else f"{resolved}:{number}",
            given_id=given_id,
            source=(fields["source"] or fields["url"] or path.name).strip(),
            published=(fields["published"] or "").strip(),
            path_is_identity=given_id != "",
        )


def read_html(path: Path, html: str) -> Iterator[SourceDocument | SourceProblem]:
    """A saved web page: its main text, title and date, without menus, banners or footers."""
    import trafilatura  # main-text extraction, only when a page is imported

    try:
        extracted = trafilatura.bare_extraction(html, with_metadata=True,
                                                include_comments=False, include_tables=False,
                                                favor_precision=True)
    except Exception as exc:  # noqa: BLE001 - a page the extractor cannot parse
        yield SourceProblem(str(path), f"cannot extract the article text ({exc})")
        return
    text = normalise_newlines(getattr(extracted, "text", None) or "") if extracted else ""
    if not text.strip():
        yield SourceProblem(str(path), "no article text found in this page")
        return
    title = (getattr(extracted, "title", None) or "").strip()
    yield SourceDocument(
        text=text.strip() + "\n",
        title=title or _title_from_text(text, ".txt") or _title_from_name(path),
        source_path=str(path.resolve()),
        source=(getattr(extracted, "sitename", None) or path.name).strip(),
        published=(getattr(extracted, "date", None) or "").strip(),
    )


def _decode(path: Path) -> tuple[str, SourceProblem | None] | SourceProblem:
    """UTF-8 (BOM or not); else the detected charset, with a warning; never binary."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return SourceProblem(str(path), f"cannot read ({exc.strerror or exc})")
    if not data.strip():
        return SourceProblem(str(path), "empty file" if not data else "only whitespace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return normalise_newlines(data.decode("utf-16")), None
        except UnicodeDecodeError:
            return SourceProblem(str(path), "invalid UTF-16 text")
    if b"\x00" in data:
        return SourceProblem(str(path), "looks like a binary file, not text")
    text: str | None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text, encoding = _detect(data)
        if text is None:
            return SourceProblem(str(path), "not readable as text in any known encoding")
        warning = SourceProblem(str(path), f"not UTF-8; read as {encoding}", skipped=False)
        return _checked(path, normalise_newlines(text), warning)
    return _checked(path, normalise_newlines(text), None)


def _checked(path: Path, text: str, warning: SourceProblem | None):
    if not text.strip():
        return SourceProblem(str(path), "only whitespace")
    return text, warning


def _detect(data: bytes) -> tuple[str | None, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("latin-1"), "latin-1"


TITLE_CHARS = 80
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s")


def _title_from_text(text: str, suffix: str) -> str:
    """The first line when it is title-like, else the first sentence shortened.

    A file name ("000 c5766762e0ea9ac9") says little; the file name stays the source.
    """
    for line in text.split("\n"):
        if not line.strip():
            continue
        if suffix in {".md", ".markdown"} and line.lstrip().startswith("#"):
            return line.strip().lstrip("#").strip()
        if is_heading_line(line):
            return line.strip()
        return _shortened(_SENTENCE_END.split(line.strip(), maxsplit=1)[0])
    return ""


def _shortened(sentence: str) -> str:
    if len(sentence) <= TITLE_CHARS:
        return sentence
    cut = sentence.rfind(" ", 0, TITLE_CHARS)
    return sentence[:cut if cut > TITLE_CHARS // 2 else TITLE_CHARS].rstrip(" ,;:") + "…"


def _title_from_name(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").split()
    title = " ".join(words)
    return title[:1].upper() + title[1:] if title else path.name


def sample_paths() -> list[Path]:
    """The bundled sample articles (``newstag import --samples``, an empty library)."""
    return sorted(samples_folder().glob("*.txt"))
