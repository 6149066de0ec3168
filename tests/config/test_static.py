"""Static files as production serves them: collected under the manifest storage, with
DEBUG off, where `{% static %}` resolves a file only through the manifest."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

BUNDLE = ROOT / "static" / "dist" / "widgets.js"


def production_env(var_dir):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "BROKER_URL")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="test-only-secret",
        ALLOWED_HOSTS="testserver",
        DESCENT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


@pytest.mark.skipif(not BUNDLE.exists(), reason="the widgets bundle is built by `make install`")
def test_collected_static_files_resolve_to_hashed_names_with_debug_off(tmp_path):
    env = production_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert {"dist/widgets.js", "css/descent.css"} <= set(manifest)
    # Resolved the way a template does, in a process that has only the collected files.
    script = (
        "import django; django.setup()\n"
        "from django.templatetags.static import static\n"
        "print(static('dist/widgets.js')); print(static('css/descent.css'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    widgets, css = done.stdout.split()
    assert widgets == "/static/" + manifest["dist/widgets.js"] != "/static/dist/widgets.js"
    assert css == "/static/" + manifest["css/descent.css"]
    assert (tmp_path / "static" / (manifest["dist/widgets.js"] + ".gz")).exists()


def test_the_image_builds_the_bundle_and_collects_under_the_production_storage():
    commands = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").split("\nRUN ")
    collect = next(c for c in commands if "collectstatic" in c)
    assert "npm run build" in collect
    assert "DEBUG=0" in collect
    assert any("npm ci" in c for c in commands)
