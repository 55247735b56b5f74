"""Headless-browser helpers for the report site's tests: Debian's Chromium driven by Playwright.

`make browser` (a step of `make test`) installs Debian's `chromium` and `fonts-noto-cjk`; Playwright
drives that binary (never `playwright install`, never a downloaded browser). A test asks for the
module-scoped `browser` fixture (conftest.py re-exports it), then opens pages::

    def test_index(browser, site):
        r = open_page(site / "index.html")
        assert r.page.locator("h1").inner_text() == "…"
        assert not r.problems, r.problems          # console errors/warnings, JS exceptions, failed loads

    def test_report(browser, site):
        r = open_page(site / "reports" / "view.html", query={"id": "abc"})   # or a string "…/view.html?id=abc"

`open_page` waits for the load event and for every Plotly chart to draw (each `.js-plotly-plot` holds an
`svg.main-svg`), and fails the test, with what the page reported, when they have not within the timeout.
Each call opens its own browser context (no shared storage); pages left open are closed at the end of
the test that opened them. `screenshot(path, out_png)` opens a page the same way and saves a PNG.

The tests skip only where Chromium is missing and cannot be installed (no apt-get, or not root, as
`make browser` says); where it could be installed, a missing Chromium fails them: run `make browser`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("DISCLOSURE_CHROMIUM", "/usr/bin/chromium"))
# Chromium here must not try the network (its connections are refused, and a report site is opened from
# file://): no QUIC, no background, component or sync traffic. Playwright adds --headless and, since it is
# not given chromium_sandbox=True, --no-sandbox; they are repeated so the list is the whole story. The
# fresh --user-data-dir is Playwright's own: launch() makes a new temporary profile each time (it refuses
# the flag in args).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
]
VIEWPORT = {"width": 1280, "height": 900}
LOAD_TIMEOUT_MS = 20_000
CHART_TIMEOUT_MS = 15_000
CHARTS = ".js-plotly-plot"
# True once every chart container holds Plotly's drawn <svg class="main-svg">.
_CHARTS_DRAWN = "sel => [...document.querySelectorAll(sel)].every(e => e.querySelector('svg.main-svg'))"
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

_session: dict[str, Any] = {"browser": None, "contexts": []}


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they must."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    if shutil.which("apt-get") is None:
        return f"no {CHROMIUM} and no apt-get to install Debian's chromium (see `make browser`)"
    if os.geteuid() != 0:
        return f"no {CHROMIUM} and not root to install it (`sudo make browser` installs chromium, fonts-noto-cjk)"
    return None


@dataclass
class PageResult:
    """An opened page and what it reported while loading and drawing."""

    page: Any  # playwright.sync_api.Page
    url: str
    charts: int = 0  # Plotly chart containers on the page, all drawn
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # uncaught JS exceptions
    failed_requests: list[str] = field(default_factory=list)  # "url: reason" (missing files, any network)

    @property
    def problems(self) -> list[str]:
        """Everything a clean page should not report, labelled; empty for a clean page."""
        return (
            [f"page error: {e}" for e in self.page_errors]
            + [f"console error: {e}" for e in self.console_errors]
            + [f"console warning: {e}" for e in self.console_warnings]
            + [f"failed request: {e}" for e in self.failed_requests]
        )

    def close(self) -> None:
        self.page.context.close()

    def __enter__(self) -> PageResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def to_url(path_or_url: str | os.PathLike[str], query: dict[str, str] | str | None = None) -> str:
    """A file:// URL for a path (a string may carry ?query and #fragment); URLs pass through."""
    if isinstance(path_or_url, str) and len(urllib.parse.urlsplit(path_or_url).scheme) > 1:
        url = path_or_url
    else:
        text, suffix = str(path_or_url), ""
        if isinstance(path_or_url, str):
            cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))
            text, suffix = text[:cut], text[cut:]
        url = Path(text).resolve().as_uri() + suffix
    if query:
        q = query if isinstance(query, str) else urllib.parse.urlencode(query)
        base, _, frag = url.partition("#")
        url = base + ("&" if "?" in base else "?") + q + (f"#{frag}" if frag else "")
    return url


def open_page(
    path_or_url: str | os.PathLike[str],
    *,
    query: dict[str, str] | str | None = None,
    charts: bool = True,
    timeout_ms: int = CHART_TIMEOUT_MS,
    browser: Any = None,
) -> PageResult:
    """Open a page in a fresh context, wait for load and (when `charts`) for every Plotly chart to draw.

    Console errors and warnings, uncaught exceptions and failed requests are collected from the start.
    Requests other than file:, data:, blob: are aborted (recorded as failed): the site must work offline.
    """
    browser = browser or _session["browser"]
    if browser is None:
        raise RuntimeError("open_page needs the browser: ask for the `browser` fixture")
    url = to_url(path_or_url, query)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    _session["contexts"].append(context)
    context.route(lambda u: not u.startswith(_LOCAL_SCHEMES), lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    result = PageResult(page=page, url=url)

    def on_console(msg: Any) -> None:
        where = msg.location or {}
        text = msg.text + (f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else "")
        if msg.type == "error":
            result.console_errors.append(text)
        elif msg.type == "warning":
            result.console_warnings.append(text)

    def on_pageerror(exc: Any) -> None:
        result.page_errors.append(f"{exc.name}: {exc.message}" if exc.name else exc.message)

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("requestfailed", lambda req: result.failed_requests.append(f"{req.url}: {req.failure}"))
    page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
    if charts:
        try:
            page.wait_for_function(_CHARTS_DRAWN, arg=CHARTS, timeout=timeout_ms)
        except Exception as exc:  # playwright's TimeoutError; say what the page said
            n = page.locator(CHARTS).count()
            drawn = page.locator(f"{CHARTS}:has(svg.main-svg)").count()
            pytest.fail(
                f"{url}: {n - drawn} of {n} charts not drawn within {timeout_ms} ms ({type(exc).__name__})"
                + "".join(f"\n  {p}" for p in result.problems)
            )
    result.charts = page.locator(CHARTS).count()
    return result


def screenshot(
    path_or_url: str | os.PathLike[str],
    out_png: str | os.PathLike[str],
    *,
    full_page: bool = True,
    **open_kwargs: Any,
) -> PageResult:
    """Open a page as open_page does, save a PNG of it (the whole page by default), close it."""
    with open_page(path_or_url, **open_kwargs) as result:
        Path(out_png).parent.mkdir(parents=True, exist_ok=True)
        result.page.screenshot(path=str(out_png), full_page=full_page)
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for one test module; open_page uses it. Not for the whole
    session: Playwright's event loop, left running, upsets Dagster's in-process runs in later modules."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no {CHROMIUM}, though it can be installed here: run `make browser` (`make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        _session["browser"] = b
        try:
            yield b
        finally:
            _session["browser"] = None
            b.close()


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    """Close the contexts a test opened (re-exported by conftest.py, so autouse everywhere; cheap)."""
    yield
    contexts, _session["contexts"] = _session["contexts"], []
    for context in contexts:
        with contextlib.suppress(Exception):  # already closed, or the browser is gone
            context.close()
