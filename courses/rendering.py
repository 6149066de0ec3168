"""Markdown to safe HTML for lessons, statements, quiz prompts and glossary cards.

Python-Markdown with pymdown-extensions does the parsing (math, fenced code with
Pygments, tables, admonitions); nh3 then sanitizes the result against an allow-list, so
even a course file with raw HTML or javascript: links cannot put script into a page.

Course-internal links use schemes that are checked at import time:
``[loss](glossary:loss)``, ``[try it](exercise:mse-loss)``, ``[quiz](quiz:loss)``,
``[next](lesson:loss-landscape)``. A line ``{{ widget: NAME }}`` places a widget;
``{{ widget: NAME | Caption text }}`` also gives it a caption (plain text, escaped) that
readers without JavaScript see in its place, so say there what the figure shows.
"""

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

LINK_SCHEMES = ("glossary", "exercise", "quiz", "lesson")
WIDGET_LINE = re.compile(
    r"^\{\{\s*widget:\s*(?P<name>[a-z0-9][a-z0-9-]*)\s*(?:\|\s*(?P<caption>.*?)\s*)?\}\}\s*$"
)
# A widget line becomes a paragraph holding only this token and the placement's index;
# the caption waits outside the Markdown so no Markdown or raw HTML in it is ever parsed.
_WIDGET_TOKEN = "DESCENTWIDGET:"
# Python-Markdown's own placeholders (raw HTML stash, escapes) are delimited by STX/ETX.
_MARKDOWN_PLACEHOLDER_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
WIDGET_FALLBACK = (
    "Interactive figure (needs JavaScript); the text around it describes what it shows."
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title", "data-term", "data-kind"},
    "img": {"src", "alt", "title", "width", "height"},
    "figure": {"data-widget"},
    "td": {"style"},
    "th": {"style"},
    "ol": {"start"},
}


@dataclass
class RenderResult:
    html: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (scheme, slug)
    widgets: list[str] = field(default_factory=list)
    broken_links: list[tuple[str, str]] = field(default_factory=list)


LinkResolver = Callable[[str, str], str | None]


EXTENSIONS = [
    "tables",
    "admonition",
    "sane_lists",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.arithmatex",
    "pymdownx.smartsymbols",
]
EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight"},
    "pymdownx.arithmatex": {"generic": True},
}


@dataclass
class _Job:
    """One document's conversion: what the processors collect and how links resolve."""

    result: RenderResult
    resolve: LinkResolver
    placements: list[tuple[str, str]] = field(default_factory=list)  # (name, caption or "")


class _WidgetLines(Preprocessor):
    def __init__(self, md, parser: "_Parser"):
        super().__init__(md)
        self.parser = parser

    def run(self, lines):
        job = self.parser.job
        out = []
        for line in lines:
            match = WIDGET_LINE.match(line.strip())
            if match:
                name = match["name"]
                caption = _MARKDOWN_PLACEHOLDER_CHARS.sub("", match["caption"] or "").strip()
                job.result.widgets.append(name)
                job.placements.append((name, caption))
                out.extend(["", f"{_WIDGET_TOKEN}{len(job.placements) - 1}", ""])
            else:
                out.append(line)
        return out


class _CourseLinks(Treeprocessor):
    def __init__(self, md, parser: "_Parser"):
        super().__init__(md)
        self.parser = parser

    def run(self, root):
        job = self.parser.job
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                placement = self._placement(child, job.placements)
                if placement is not None:
                    parent[index] = self._widget(*placement)
        for anchor in root.iter("a"):
            href = anchor.get("href", "")
            scheme, sep, slug = href.partition(":")
            if not sep or scheme not in LINK_SCHEMES:
                continue
            job.result.links.append((scheme, slug))
            url = job.resolve(scheme, slug)
            if url is None:
                job.result.broken_links.append((scheme, slug))
                url = "#"
            anchor.set("href", url)
            anchor.set("class", f"course-link {scheme}-link")
            anchor.set("data-kind", scheme)
            if scheme == "glossary":
                anchor.set("data-term", slug)

    @staticmethod
    def _placement(element, placements) -> tuple[str, str] | None:
        text = (element.text or "").strip()
        if element.tag != "p" or len(element) or not text.startswith(_WIDGET_TOKEN):
            return None
        index = text[len(_WIDGET_TOKEN) :]
        if not index.isdigit() or int(index) >= len(placements):
            return None
        return placements[int(index)]

    @staticmethod
    def _widget(name: str, caption: str):
        figure = etree.Element("figure", {"class": "widget", "data-widget": name})
        figcaption = etree.SubElement(figure, "figcaption", {"class": "widget-fallback"})
        # Text, not markup: ElementTree escapes it when the tree is serialized.
        figcaption.text = caption or WIDGET_FALLBACK
        return figure


def _default_resolver(scheme: str, slug: str) -> str | None:
    return f"#{scheme}-{slug}"


class _Parser:
    """A Markdown parser with our processors, reused document after document: building
    one (loading every extension) costs three times what converting a page does, and a
    lesson page converts a few texts per request (its checkpoint's drawn numbers).
    ``reset()`` before each document drops what the last one left (link references, the
    raw-HTML stash, the extensions' own state)."""

    def __init__(self):
        self.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        self.md.preprocessors.register(_WidgetLines(self.md, self), "descent_widgets", 27)
        self.md.treeprocessors.register(_CourseLinks(self.md, self), "descent_links", 1)
        self.job: _Job | None = None

    def convert(self, text: str, job: _Job) -> str:
        self.job = job
        try:
            return self.md.reset().convert(text)
        finally:
            self.job = None


# One idle parser per thread (gunicorn's threads, Celery's pool): a parser is not
# thread-safe, and a conversion started inside another (none today) builds its own.
_idle = threading.local()


def render_markdown(text: str, resolve: LinkResolver | None = None) -> RenderResult:
    result = RenderResult(html="")
    job = _Job(result=result, resolve=resolve or _default_resolver)
    parser = getattr(_idle, "parser", None) or _Parser()
    _idle.parser = None
    try:
        html = parser.convert(text, job)
    finally:
        _idle.parser = parser
    result.html = sanitize(html)
    return result


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )
