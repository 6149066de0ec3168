"""Every lesson of the shipped course, rendered as a student gets it, is whole: each
formula on the page typesets in KaTeX (strict, throwing on any error), each widget has
a registered module and a caption of its own for readers without JavaScript, and each
internal link opens (tests/courses/test_course_links.py follows them; here the page as
served is read, checkpoint included)."""

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from courses.models import Lesson
from courses.rendering import WIDGET_FALLBACK
from tests.courses.test_course_links import internal, reader, shipped  # noqa: F401
from tests.courses.test_widgets import ROOT, registered_widgets

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)

# KaTeX as the page runs it (static/src/math.js), but failing loudly: a parse error or
# anything its strict mode would only warn about.
KATEX = """
import katex from "katex";
const formulas = JSON.parse(await new Promise((done) => {
  let text = ""; process.stdin.on("data", (c) => (text += c)); process.stdin.on("end", () => done(text));
}));
const errors = [];
for (const [where, tex, display] of formulas) {
  try {
    katex.renderToString(tex, { displayMode: display, throwOnError: true,
      strict: (code, message) => { throw new Error(`strict: ${code}: ${message}`); } });
  } catch (error) { errors.push(`${where}: ${tex.slice(0, 80)} -> ${error.message}`); }
}
process.stdout.write(JSON.stringify(errors));
"""


class _Figures(HTMLParser):
    """Each <figure data-widget> with the text of its figcaption."""

    def __init__(self):
        super().__init__()
        self.figures: list[list] = []
        self._caption: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "data-widget" in attrs:
            self.figures.append([attrs["data-widget"], ""])
        elif tag == "figcaption" and self.figures:
            self._caption = self.figures[-1]

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._caption = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption[1] += data


def _pages(reader, shipped):  # noqa: F811
    lessons = Lesson.objects.filter(course=shipped, is_active=True).order_by("position")
    out = {}
    for lesson in lessons:
        response = reader.get(f"/courses/{shipped.slug}/lessons/{lesson.slug}/")
        assert response.status_code == 200, lesson.slug
        out[lesson.slug] = response.content.decode()
    return out


def katex_errors(formulas: list) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: KaTeX cannot be run")
    result = subprocess.run(
        [node, "--input-type=module", "-e", KATEX],
        cwd=ROOT,
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.timeout(120)
def test_every_formula_on_every_lesson_page_and_the_glossary_typesets(reader, shipped):  # noqa: F811
    formulas = []
    pages = _pages(reader, shipped)
    # the glossary page: every card's formula and each symbol of its anatomy
    pages["glossary"] = reader.get(f"/courses/{shipped.slug}/glossary/").content.decode()
    for slug, page in pages.items():
        for tag, content in ARITHMATEX.findall(page):
            source = html.unescape(content)[2:-2].strip()
            formulas.append([slug, source, tag == "div"])
    assert len(formulas) > 300
    assert katex_errors(formulas) == []


def test_a_broken_formula_is_caught():
    errors = katex_errors([["x", r"\frac{1}{", False], ["y", r"\alpha", False]])
    assert len(errors) == 1
    assert errors[0].startswith("x: ")


def test_every_widget_on_every_lesson_page_is_registered_and_captioned(reader, shipped):  # noqa: F811
    modules = registered_widgets()
    seen = set()
    for slug, page in _pages(reader, shipped).items():
        figures = _Figures()
        figures.feed(page)
        for name, caption in figures.figures:
            seen.add(name)
            assert name in modules, f"{slug}: widget {name!r} has no module in main.js"
            caption = " ".join(caption.split())
            assert caption, f"{slug}: widget {name!r} has no caption"
            assert caption != WIDGET_FALLBACK, (
                f"{slug}: widget {name!r} has only the generic caption"
            )
            assert len(caption) >= 40, f"{slug}: widget {name!r}'s caption says too little"
    # every registered widget is used somewhere in the course
    assert seen == set(modules)


def test_every_internal_link_on_every_lesson_page_resolves(reader, shipped):  # noqa: F811
    from django.urls import Resolver404, resolve

    for slug, page in _pages(reader, shipped).items():
        hrefs = re.findall(r'<a [^>]*href="([^"]+)"', page)
        for href in internal([html.unescape(h) for h in hrefs]):
            path = href.split("#")[0].split("?")[0]
            if not path:
                continue  # a fragment on the page itself
            try:
                resolve(path)
            except Resolver404:
                pytest.fail(f"{slug}: {href} leads nowhere")
