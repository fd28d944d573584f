"""``newstag train -o DIR``: a spaCy pipeline with a ``textcat_multilabel`` component
trained on the reviewed sentences, for use outside newstag (``spacy.load(DIR)``).

A blank English pipeline with spaCy's bag-of-words text classifier (unigrams and
bigrams): it loads without newstag and without any other model, and trains on a few
hundred sentences in seconds. DIR is written beside itself first and then renamed into
place, so an interrupted run leaves the previous model whole; a non-empty DIR that is
not a newstag model is refused.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotations.config import Config
from annotations.errors import UserError, brief
from annotations.suggest.engine import Example

MARKER = "newstag-model.json"  # written into every model folder newstag makes
EPOCHS = 12
BATCH = 16
BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
       "ngram_size": 2, "no_output_layer": False}


# What a model folder holds: the marker and what ``nlp.to_disk`` writes for a blank
# English pipeline with textcat_multilabel. A folder holding anything else is not one
# newstag wrote (a forged marker): replacing it would delete that.
MODEL_ENTRIES = frozenset({MARKER, "config.cfg", "meta.json", "tokenizer", "vocab",
                           "textcat_multilabel"})


def check_target(target: Path, db: Path | None = None) -> None:
    """Refuse a DIR newstag must not fill or replace (one line, nothing written): not a
    folder, the database folder (inside it or holding it: replacing DIR would delete the
    database), a non-empty folder that is not a model newstag wrote."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UserError(f"{target}: not a folder; name a new or empty folder, or a "
                        "model folder newstag wrote before")
    if db is not None:
        here, base = target.resolve(), db.resolve()
        if here == base or here.is_relative_to(base) or base.is_relative_to(here):
            raise UserError(f"{target}: the database folder {db} is there (a model is "
                            "written elsewhere); name a new or empty folder outside it")
    if not target.is_dir():
        return
    entries = {entry.name for entry in target.iterdir()}
    if entries and (MARKER not in entries or (target / MARKER).is_symlink()
                    or not (target / MARKER).is_file()):
        raise UserError(f"{target}: folder is not empty and holds no newstag model; "
                        "name a new or empty folder")
    if extra := sorted(entries - MODEL_ENTRIES):
        raise UserError(f"{target}: holds {brief(extra[0])}, which no newstag model does "
                        "(replacing the folder would delete it); name a new or empty folder")


def train_pipeline(config: Config, examples: Sequence[Example], seed: int = 0):
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat: Any = nlp.add_pipe("textcat_multilabel", config={"model": BOW})
    for name in config.label_names:
        textcat.add_label(name)
    data = [SpacyExample.from_dict(nlp.make_doc(e.text),
                                   {"cats": {n: float(n in e.labels) for n in config.label_names}})
            for e in examples]
    optimizer = nlp.initialize(lambda: data)
    order = random.Random(seed)
    for _ in range(EPOCHS):
        order.shuffle(data)
        for batch in minibatch(data, size=BATCH):
            nlp.update(batch, sgd=optimizer)
    nlp.meta["name"] = "newstag_suggest"
    nlp.meta["description"] = (f"newstag textcat_multilabel trained on {len(examples)} "
                               "reviewed sentences")
    return nlp


def write_pipeline(config: Config, examples: Sequence[Example], target: Path,
                   db: Path | None = None) -> Path:
    check_target(target, db)
    nlp = train_pipeline(config, examples)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a model folder is an ordinary one
        nlp.to_disk(staging)
        (staging / MARKER).write_text(json.dumps({
            "labels": config.label_names, "trained_on": len(examples)}) + "\n", "utf-8")
        check_target(target, db)  # again: it may have changed while training
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{staging.name[-8:]}")
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
