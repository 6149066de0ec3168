"""The house plan, checked: apps in layers with no import cycle (import-linter's
contracts in pyproject.toml), functions short enough to read, and an import inside a
function only with the reason written beside it."""

import ast
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from tests.helpers import ROOT

APP_PACKAGES = ("accounts", "config", "courses", "grading", "judge", "sandbox", "teaching")
MAX_FUNCTION_LINES = 80


def app_modules():
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            # Course content is authors' code; migrations are generated history.
            if "content" in parts or "migrations" in parts:
                continue
            yield path


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with redirect_stdout(out):
        code = lint_imports(no_cache=True)
    assert code == 0, out.getvalue()[-3000:]


@pytest.mark.parametrize("path", list(app_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_in_app_code_is_longer_than_80_lines(path: Path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in functions(tree)
        if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


@pytest.mark.parametrize("path", list(app_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_an_import_inside_a_function_says_why(path: Path):
    lines = path.read_text().splitlines()
    unexplained = []
    for function in functions(ast.parse("\n".join(lines))):
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            here = lines[node.lineno - 1]
            # A comment on the line itself, or a comment block right above the import.
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if "#" not in here and not above.startswith("#"):
                unexplained.append(f"line {node.lineno}: {here.strip()}")
    assert unexplained == []
