"""Label suggestions: what newstag expects a sentence's labels to be (issue 10).

The seam other layers use is ``annotations.suggest.engine``: ``Suggestion``,
``Suggester``, ``cold_suggester`` and ``train_suggester``; ``reviewed_examples`` in
``annotations.suggest.examples`` gathers what a person tagged. Nothing here imports
Textual.
"""
