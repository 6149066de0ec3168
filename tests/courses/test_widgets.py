"""The lesson widgets: every widget a shipped lesson places has a registered JavaScript
module, and the widgets' math passes its own tests (``npm test``, node's test runner)."""

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from courses.rendering import render_markdown

ROOT = Path(__file__).resolve().parents[2]
MAIN_JS = ROOT / "static" / "src" / "main.js"
LESSONS = sorted((ROOT / "courses" / "content").glob("*/lessons/*.md"))

IMPORT = re.compile(r'^import\s+(\w+)\s+from\s+"\./(widgets/[\w-]+\.js)";\s*$', re.MULTILINE)
REGISTRY = re.compile(r"export const WIDGETS = \{(?P<body>.*?)\n\};", re.DOTALL)
ENTRY = re.compile(r'^\s*"([a-z0-9][a-z0-9-]*)":\s*(\w+),\s*$')


def widgets_used_in_lessons() -> set[str]:
    names: set[str] = set()
    for path in LESSONS:
        names.update(render_markdown(path.read_text(encoding="utf-8")).widgets)
    return names


def registered_widgets() -> dict[str, Path]:
    """name -> module file, from the registry object and the imports in main.js."""
    source = MAIN_JS.read_text(encoding="utf-8")
    modules = {ident: ROOT / "static" / "src" / rel for ident, rel in IMPORT.findall(source)}
    registry = REGISTRY.search(source)
    assert registry, "main.js must define `export const WIDGETS = { ... };`"
    out = {}
    for line in registry.group("body").strip().splitlines():
        match = ENTRY.match(line)
        assert match, f"unexpected line in the WIDGETS registry: {line!r}"
        name, ident = match.groups()
        assert ident in modules, f"widget {name!r} maps to {ident}, which main.js does not import"
        out[name] = modules[ident]
    return out


def test_the_shipped_lessons_place_widgets():
    assert LESSONS, "no lesson files found"
    assert len(widgets_used_in_lessons()) >= 8


def test_every_widget_used_in_a_lesson_has_a_registered_module():
    registered = registered_widgets()
    missing = widgets_used_in_lessons() - registered.keys()
    assert not missing, (
        f"lessons use widgets with no module in static/src/main.js: {sorted(missing)}"
    )


def test_every_registered_widget_module_exists_and_exports_a_mount_function():
    for name, path in registered_widgets().items():
        assert path.is_file(), f"widget {name!r}: {path} does not exist"
        assert path.stem == name, (
            f"widget {name!r} lives in {path.name}; one module per widget, named after it"
        )
        assert "export default function mount(" in path.read_text(encoding="utf-8")


# The two places that insert HTML, both of it rendered by our own templates on the server:
# the course editor's preview shows the server's rendering of the lesson being edited,
# the same sanitized HTML (courses.rendering, nh3) the lesson page has in its markup, for
# the course's own authors; a lesson's shared page puts in the reader's parts
# (courses.views.lesson_mine), fragments of the whole page rendered for that reader.
SERVER_HTML = {"authoring/preview.js": 1, "lesson/mine.js": 1}


def test_widget_code_uses_no_eval_or_inner_html():
    # CSP-friendly: no eval / new Function, and no HTML parsing of strings.
    pattern = re.compile(r"\beval\(|new Function\(|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML")
    source_root = ROOT / "static" / "src"
    for path in source_root.rglob("*.js"):
        found = pattern.findall(path.read_text(encoding="utf-8"))
        allowed = SERVER_HTML.get(path.relative_to(source_root).as_posix(), 0)
        assert len(found) <= allowed, f"{path} uses eval or HTML strings: {found}"
        assert all(match == ".innerHTML" for match in found), f"{path}: {found}"


def test_the_lesson_page_loads_the_bundle_deferred_and_renders_without_it(settings, tmp_path):
    # Point the static files at an empty directory: no static/dist/widgets.js at all, as in
    # a checkout where `npm run build` never ran. The page must still render.
    settings.STATICFILES_DIRS = [tmp_path]
    lesson = SimpleNamespace(
        title="Loss",
        position=1,
        think_prompt="",
        body_html=render_markdown("{{ widget: loss-sliders }}").html,
    )
    course = SimpleNamespace(slug="gradient-descent", title="Course")
    html = render_to_string(
        "courses/lesson.html", {"lesson": lesson, "course": course, "previous": None, "next": None}
    )
    assert re.search(r'<script src="[^"]*dist/widgets\.js" nonce="[^"]*" defer></script>', html)
    assert '<figure class="widget" data-widget="loss-sliders">' in html
    assert "widget-fallback" in html
    assert "<script>" not in html, "no inline scripts (Content Security Policy)"


@pytest.mark.timeout(120)
def test_the_widget_math_passes_its_node_tests():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the JavaScript widget tests (npm test) cannot run")
    npm = shutil.which("npm")
    command = [npm, "test", "--silent"] if npm else [node, "--test", "static/src/tests/"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    assert re.search(r"^# fail 0$", result.stdout, re.MULTILINE), result.stdout


MATH_IMPORT = re.compile(r'from "\.\./math/([a-z0-9-]+\.js)"')


def test_every_widget_keeps_its_math_in_a_module_that_node_tests():
    # The numbers a widget shows come from pure functions under static/src/math/, and a
    # node test imports each of them: a widget cannot teach a formula nobody checked.
    tests = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "static/src/tests").glob("*.js")
    )
    for name, module in registered_widgets().items():
        used = MATH_IMPORT.findall(module.read_text(encoding="utf-8"))
        assert used, f"widget {name!r} imports nothing from static/src/math/"
        for math_module in used:
            assert f"math/{math_module}" in tests, (
                f"widget {name!r} uses static/src/math/{math_module}, which no node test imports"
            )
