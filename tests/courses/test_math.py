"""Lesson math is typeset in the browser by KaTeX (static/src/math.js, bundled into
static/dist/math.js and math.css with its fonts by ``npm run build``). The renderer keeps
the delimited LaTeX in the HTML as the fallback; these tests check the page wiring, the
built bundle, and that the node test (static/src/tests/math.test.js, which has KaTeX
render every lesson formula) sees exactly the formulas arithmatex produces."""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from courses.rendering import render_markdown

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "static" / "dist"
CSS = ROOT / "static" / "css" / "descent.css"
LESSONS = sorted((ROOT / "courses" / "content").glob("*/lessons/*.md"))
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)


def render_lesson_page(body_markdown: str) -> str:
    lesson = SimpleNamespace(
        title="Loss", position=1, think_prompt="", body_html=render_markdown(body_markdown).html
    )
    course = SimpleNamespace(slug="gradient-descent", title="Course")
    return render_to_string(
        "courses/lesson.html", {"lesson": lesson, "course": course, "previous": None, "next": None}
    )


def test_the_lesson_page_loads_the_math_bundle_deferred_and_renders_without_it(settings, tmp_path):
    # No static/dist at all, as in a checkout where `npm run build` never ran.
    settings.STATICFILES_DIRS = [tmp_path]
    page = render_lesson_page("Inline $x^2$.\n\n$$\nL = \\frac{1}{n}\n$$\n")
    head = page.split("</head>")[0]
    assert re.search(r'<link rel="stylesheet" href="[^"]*dist/math\.css">', head)
    assert re.search(r'<script src="[^"]*dist/math\.js" nonce="[^"]*" defer></script>', head)
    assert "<script>" not in page, "no inline scripts (Content Security Policy)"
    # The fallback: the LaTeX source itself, in the elements math.js looks for.
    assert '<span class="arithmatex">\\(x^2\\)</span>' in page
    assert '<div class="arithmatex">\\[\nL = \\frac{1}{n}\n\\]</div>' in page


def test_pages_without_markdown_do_not_load_katex(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]
    page = render_to_string("courses/home.html", {"courses": []})
    assert "dist/math" not in page


def test_the_stylesheet_never_hides_the_latex_fallback():
    rules = re.findall(r"([^{}]*arithmatex[^{}]*)\{([^}]*)\}", CSS.read_text(encoding="utf-8"))
    assert rules, "descent.css has no math section"
    for selector, body in rules:
        assert not re.search(r"display:\s*none|visibility:\s*hidden|opacity:\s*0", body), (
            f"{selector.strip()} hides the LaTeX that readers without JavaScript get"
        )


def built(name: str) -> Path:
    path = DIST / name
    if not path.is_file():
        pytest.skip(f"static/dist/{name} is not built; run `npm run build` (make install does)")
    return path


def test_the_built_math_css_references_only_font_files_that_exist():
    css = built("math.css").read_text(encoding="utf-8")
    built("math.js")
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)", css)
    assert any(url.endswith(".woff2") for url in urls), "math.css has no KaTeX fonts"
    for url in urls:
        assert not re.match(r"[a-z]+:|/", url), f"{url}: fonts must be relative to static/dist/"
        assert (DIST / url).resolve().is_file(), f"math.css refers to {url}, not in static/dist"


def formulas_by_arithmatex() -> dict[str, list[list]]:
    """What the renderer hands to math.js, per lesson: [tex, display] in page order."""
    out = {}
    for path in LESSONS:
        body = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
        found = []
        for tag, content in ARITHMATEX.findall(render_markdown(body).html):
            source = html.unescape(content)
            found.append([source[2:-2].strip(), tag == "div"])
        out[path.relative_to(ROOT / "courses" / "content").as_posix()] = found
    return out


@pytest.mark.timeout(60)
def test_the_node_formula_test_checks_exactly_what_arithmatex_produces():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the KaTeX formula test (npm test) cannot run")
    script = (
        'import { lessonFormulas } from "./static/src/tests/lesson-formulas.js";'
        "const out = {};"
        "for (const [file, fs] of Object.entries(lessonFormulas()))"
        "  out[file] = fs.map((f) => [f.tex, f.displayMode]);"
        "process.stdout.write(JSON.stringify(out));"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert result.returncode == 0, result.stderr
    from_node = json.loads(result.stdout)
    expected = formulas_by_arithmatex()
    assert sum(map(len, expected.values())) > 300
    assert from_node.keys() == expected.keys()
    for lesson, formulas in expected.items():
        assert from_node[lesson] == formulas, f"{lesson}: the node extractor disagrees"
