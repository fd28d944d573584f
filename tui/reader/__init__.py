"""The reader screen's widgets: each takes its state from the screen and posts messages up."""
