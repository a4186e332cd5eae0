"""Lecture mode (``make present``): the Voila start page and one chapter served by ``scripts/present.py``."""

import re
import sys

import pytest

from .pages import ERRORS, PAGE_TIMEOUT_S, ROOT, SHUTDOWN_VOILA_KERNEL, chapter_notebooks, expected_widgets
from .servers import free_port, isolated_env, running

pytestmark = pytest.mark.browser

LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")


def test_start_page_lists_every_chapter(voila_url, browser):
    """``make present`` without NB: the Voila start page links every chapter notebook."""
    base, _ = voila_url
    page = browser.new_page()
    try:
        page.goto(f"{base}/", timeout=60_000)
        for notebook in chapter_notebooks():
            page.get_by_text(notebook.name, exact=True).first.wait_for(timeout=30_000)
    finally:
        page.close()


def test_make_present_serves_one_chapter(browser, tmp_path, monkeypatch):
    """``make present NB=...``: scripts/present.py prints a loopback URL; the chapter works, code hidden."""
    notebooks = chapter_notebooks()
    if not notebooks:
        pytest.skip("no chapter notebooks")
    notebook = notebooks[0]
    _, explorer_calls = expected_widgets(notebook)
    log = tmp_path / "present.log"
    command = [sys.executable, str(ROOT / "scripts" / "present.py"), str(notebook)]
    monkeypatch.setenv("PORT", str(free_port()))
    with running(command, log, ROOT, "running at", isolated_env(tmp_path / "home"), pytest.fail):
        printed = re.search(r"Open (http://127\.0\.0\.1:\d+/)", log.read_text())
        assert printed, f"present.py printed no loopback URL:\n{log.read_text()[-2000:]}"
        page = browser.new_page()
        # Lecture rooms may block public CDNs: the page must need nothing beyond this machine.
        outside = []
        page.on("request", lambda request: request.url.startswith(LOCAL) or outside.append(request.url))
        try:
            page.goto(printed.group(1), timeout=PAGE_TIMEOUT_S * 1000)
            page.wait_for_selector("#loading", state="detached", timeout=PAGE_TIMEOUT_S * 1000)
            page.wait_for_function(
                "n => document.querySelectorAll('img.widget-image[src^=\"blob:\"]').length >= n",
                arg=explorer_calls, timeout=PAGE_TIMEOUT_S * 1000,
            )
            assert page.evaluate(ERRORS) == []
            assert page.locator(".jp-CodeMirrorEditor, .cm-editor").count() == 0, "code is shown"
            assert page.locator(".jp-MarkdownOutput").count() > 0, "narrative missing"
            assert outside == [], "requests beyond this machine:\n" + "\n".join(outside)
        finally:
            try:
                page.evaluate(SHUTDOWN_VOILA_KERNEL)
            except Exception:  # a page that failed to load has no kernel to free
                pass
            page.close()
