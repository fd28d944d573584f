"""newstag's user interfaces: the command line and the Textual reader.

Kept free of imports so headless commands start without Textual.
"""
