"""Publishers: the same plain result rendered for the terminal, as JSON, as Markdown, as SARIF."""

from __future__ import annotations

from reviewbot.publish import jsondoc, markdown, text

RENDERERS = {"text": text.render, "json": jsondoc.render, "markdown": markdown.render}
