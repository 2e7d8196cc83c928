"""Render: the model to Markdown and HTML. Renderers never parse and never change the index."""
