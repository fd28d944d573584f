"""spaCy's reading of a sentence for the suggester: lemmas, entity types, a context vector.

The suggester needs lemmas (the import pipeline drops the tagger and lemmatizer for
speed), so it loads its own copy of the configured model without the parser. Each
sentence is analysed once per process: retraining after a tag reads the cache and only
the new sentence goes through spaCy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from annotations.config import FALLBACK_MODEL, Config
from annotations.errors import ModelNotInstalled, brief
from annotations.suggest.rules import Seeds, build_matcher, count_hits, seeds_of

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Parser and senter set nothing the suggester reads (one sentence at a time).
EXCLUDE = ("parser", "senter")
CACHE_SIZE = 50_000  # sentences; ~2 KB each
BATCH_SIZE = 64


@dataclass(frozen=True, slots=True)
class Analysed:
    """What the features and the rules read of one sentence."""

    lemmas: tuple[str, ...]  # lower-case lemmas of words and numbers, in order
    lowers: tuple[str, ...]  # the same tokens as written, lower case
    entities: tuple[str, ...]  # entity types (GPE, ORG, ...) in order
    vector: np.ndarray  # mean of the model's contextual token vectors (doc.tensor)
    hits: dict[str, int]  # cold-start rule matches: "trade" (patterns), "trade#" (description)


class Analyser:
    """One spaCy pipeline and a cache of analysed sentences, safe to share between threads."""

    def __init__(self, nlp: Language, seeds: Seeds) -> None:
        self.nlp = nlp
        self.matcher = build_matcher(nlp, seeds)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Analysed] = OrderedDict()
        tok2vec: Any = nlp.get_pipe("tok2vec") if "tok2vec" in nlp.pipe_names else None
        self.width = int(tok2vec.model.get_dim("nO")) if tok2vec is not None else 0

    def __call__(self, texts: Sequence[str]) -> list[Analysed]:
        with self._lock:  # a spaCy pipeline is not meant to run in two threads at once
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            for text, doc in zip(missing, self.nlp.pipe(missing, batch_size=BATCH_SIZE),
                                 strict=True):
                self._cache[text] = self._analyse(doc)
            found = [self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return found

    def docs(self, texts: Sequence[str]) -> list[Doc]:
        with self._lock:
            return list(self.nlp.pipe(texts, batch_size=BATCH_SIZE))

    def _analyse(self, doc: Doc) -> Analysed:
        words = [t for t in doc if t.is_alpha or t.like_num or "-" in t.text and not t.is_punct]
        tensor = doc.tensor
        if self.width and getattr(tensor, "shape", (0,))[0] == len(doc) and len(doc):
            vector = np.asarray(tensor, dtype=np.float32).mean(axis=0)
        else:
            vector = np.zeros(self.width, dtype=np.float32)
        return Analysed(tuple((t.lemma_ or t.text).lower() for t in words),
                        tuple(t.lower_ for t in words),
                        tuple(e.label_ for e in doc.ents), vector, count_hits(self.matcher, doc))


_analysers: dict[tuple[str, Seeds], Analyser] = {}
_pipelines: dict[str, Language] = {}
_load_lock = threading.Lock()


def analyser_for(config: Config) -> Analyser:
    """The shared analyser of the configured model (else newstag's fallback model) and
    the config's cold-start rules."""
    key = (config.model, seeds_of(config))
    with _load_lock:
        if key not in _analysers:
            if config.model not in _pipelines:
                _pipelines[config.model] = _load(config.model)
            _analysers[key] = Analyser(_pipelines[config.model], key[1])
        return _analysers[key]


def _load(model: str) -> Language:
    import spacy

    problems = []
    for name in dict.fromkeys([model, FALLBACK_MODEL]):
        try:
            return spacy.load(name, exclude=list(EXCLUDE))
        except (OSError, ImportError, ValueError, KeyError) as exc:
            problems.append(f"{brief(name, 100)}: {brief(str(exc).splitlines()[0], 100)}")
    raise ModelNotInstalled("no spaCy model could be loaded for suggestions: "
                            + "; ".join(problems))
