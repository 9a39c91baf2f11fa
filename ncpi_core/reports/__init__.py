"""Presentation for people outside chat: text, Markdown, CSV, JSON, HTML, xlsx, the chart."""
