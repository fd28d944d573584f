"""newstag's domain layer: articles, NLP, annotation storage, import and export.

Nothing in this package imports Textual or the ``tui`` package.
"""
