"""What the browser tests share: Debian's Chromium driven by Playwright, and a real Celery
worker in this process grading what the pages submit."""

import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def browser_marks(bundle: str) -> list:
    """A browser module's marks: slow, browser, and skipped (with the reason) without
    Debian's Chromium or without the front-end ``bundle`` that `make install` builds."""
    return [
        pytest.mark.slow,
        pytest.mark.browser,
        pytest.mark.skipif(
            not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
        ),
        pytest.mark.skipif(
            not (ROOT / "static" / "dist" / bundle).exists(),
            reason="the front-end bundle is built by `make install`",
        ),
    ]


@pytest.fixture
def chromium_page(monkeypatch):
    """A fresh page in headless Chromium; screenshots go to ARTIFACTS."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright  # only the browser suite needs it

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def grading_worker(transactional_db):
    """A real Celery worker consuming the grading queues from this process's broker, the
    regrade queue, where authoring's syncs and Try-it runs go, and the outbound queue
    (scores to an LMS)."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=["grading", "feedback", "regrade", "outbound", "celery"],
        shutdown_timeout=30,
        loglevel="WARNING",
    ) as worker:
        yield worker
