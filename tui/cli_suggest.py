"""``newstag train`` and ``newstag suggest`` (issue 10). Headless: no Textual.

The learned model is not stored: it is retrained from the reviewed sentences whenever
it is needed (well under 2 s for 500), so nothing is ever unpickled from a database
folder. ``train`` reports how good it is by cross-validation and, with ``-o DIR``,
writes a spaCy pipeline to take away.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from annotations.config import Config
from annotations.errors import UserError
from annotations.model import ReviewState
from annotations.store import Store
from tui.output import json_out, note, out


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("train", parents=[common],
                       help="train on the reviewed sentences; cross-validated P/R/F1")
    p.add_argument("--json", action="store_true")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="also write a spaCy pipeline (textcat_multilabel) to DIR")

    p = sub.add_parser("suggest", parents=[common],
                       help="suggested labels of the unreviewed sentences")
    p.add_argument("articles", nargs="*", metavar="ARTICLE")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="every sentence, reviewed ones too")


def _store(db: Path, config: Config) -> Store:
    store = Store.open(db, create=False, annotator=config.annotator)
    if not store.exists:
        raise UserError(f"{db}: no database here yet (import articles first)")
    return store


def cmd_train(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.suggest.engine import MIN_TRAINING
    from annotations.suggest.evaluate import FOLDS, cross_validate
    from annotations.suggest.examples import reviewed_examples
    from annotations.suggest.spacy_model import check_target, write_pipeline

    target = Path(args.output) if args.output else None
    if target is not None:
        check_target(target, db)
    examples = reviewed_examples(_store(db, config))
    if target is not None and not examples:
        raise UserError(f"{db}: no reviewed sentences to train a model on (tag some first)")
    folds = min(FOLDS, len(examples))
    result = cross_validate(config, examples, folds) if len(examples) >= 2 else {}
    written = write_pipeline(config, examples, target, db) if target is not None else None
    kind = "learned" if len(examples) >= MIN_TRAINING else "rules"
    if args.json:
        json_out({"trained_on": len(examples), "model": kind,
                  "folds": folds if result else 0,
                  "labels": {n: result[n].as_dict() for n in config.label_names if result},
                  "micro": result["micro"].as_dict() if result else None,
                  "output": str(written) if written else None})
        return 0
    if not result:
        out(f"{len(examples)} reviewed sentences: too few to cross-validate; suggestions "
            "come from the cold-start rules (patterns and descriptions in the config)")
    else:
        how = ("learned model" if kind == "learned"
               else f"cold-start rules until {MIN_TRAINING} are reviewed")
        out(f"trained on {len(examples)} reviewed sentences ({how}); "
            f"{folds}-fold cross-validation:")
        out(f"  {'label':<14} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
        for name in [*config.label_names, "micro"]:
            s = result[name]
            out(f"  {name:<14} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} "
                f"{s.support:>8}")
    if written:
        note(f"wrote a spaCy pipeline (textcat_multilabel) to {written}")
    return 0


def cmd_suggest(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.suggest.engine import train_suggester
    from annotations.suggest.examples import reviewed_examples

    store = _store(db, config)
    summaries = ([store.resolve(ref) for ref in args.articles] if args.articles
                 else store.summaries())
    rows: list[dict] = []
    # An article named twice is listed once.
    for article_id in dict.fromkeys(summary.id for summary in summaries):
        article = store.load_article(article_id)
        placed = store.annotations(article.id)
        for sentence in article.taggable:
            annotation = placed.get(sentence.index)
            if args.all or annotation is None or annotation.state is not ReviewState.REVIEWED:
                rows.append({"article": article.id, "index": sentence.index,
                             "text": article.sentence_text(sentence)})
    suggester = train_suggester(config, reviewed_examples(store))
    for row, found in zip(rows, suggester.suggest([r["text"] for r in rows]), strict=True):
        row["scores"] = found.scores
        row["labels"] = list(found.labels)
    if args.json:
        json_out(rows)
        return 0
    for row in rows:
        scores = " ".join(f"{n} {row['scores'][n]:.2f}" for n in config.label_names)
        out(f"{row['article'][:18]:<18} {row['index']:>4}  [{','.join(row['labels'])}]  "
            f"{scores}  {row['text']}")
    if not rows:
        out("no sentences to suggest labels for")
    return 0
