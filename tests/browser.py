"""A real headless Chromium for the dashboard's browser tests: the distribution's `/usr/bin/chromium` (installed by
`.ci/run` when missing) driven by Playwright's Python package; no browser is ever downloaded.

The browser runs Playwright's sync API in one thread of its own, so the bot under test keeps serving on the test's
event loop while the browser waits for its pages. A test opens a `Tab` (a fresh browser context: no cookies, its
own window size) and runs plain functions of the page in that thread with `await tab.do(steps)`:

    async with browser.tab(box.dashboard_url, PHONE) as tab:
        html = await tab.do(lambda page: page.goto("/dashboard/caseload") and page.content())

Every tab records what would be wrong on any page: script errors, console errors (a Content-Security-Policy
violation shows up there) and failed stylesheets, scripts or images in `tab.errors`, and requests to anywhere but
the dashboard in `tab.elsewhere`.
Screenshots go to `Browser.screenshots` (SCREENSHOT_DIR, else a pytest tmp folder), outside the repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

T = TypeVar("T")


def missing_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (`.ci/run` installs Debian's `chromium` with apt)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (`pip install -e '.[test]'`)"
    return None


class Browser:
    """One headless Chromium (a temporary profile of its own) for a whole test module."""

    def __init__(self, screenshots: Path) -> None:
        self.screenshots = screenshots
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright = None
        self._chromium = None

    def start(self) -> None:
        self._thread.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        # `launch` gives the browser a fresh temporary user-data-dir, removed again when it closes
        self._chromium = self._playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)

    def close(self) -> None:
        def stop() -> None:
            if self._chromium is not None:
                self._chromium.close()
            if self._playwright is not None:
                self._playwright.stop()

        self._thread.submit(stop).result()
        self._thread.shutdown()

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the browser's thread, awaited without blocking the bot's event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    @contextlib.asynccontextmanager
    async def tab(self, base_url: str, viewport: dict[str, int] = DESKTOP, lang: str = "nl-NL") -> AsyncIterator[Tab]:
        """A fresh context (no cookies) with one page at this window size; relative `goto`s go to `base_url`."""
        tab = await self.call(self._open, base_url, viewport, lang)
        try:
            yield tab
        finally:
            await self.call(tab.context.close)

    def _open(self, base_url: str, viewport: dict[str, int], lang: str) -> Tab:
        context = self._chromium.new_context(
            base_url=base_url, viewport=viewport, locale=lang, accept_downloads=True, service_workers="block"
        )
        context.set_default_timeout(TIMEOUT_MS)
        return Tab(self, context, context.new_page(), base_url)


class Tab:
    """One browser context and its page; run steps on the page with `await tab.do(steps, *args)`."""

    def __init__(self, browser: Browser, context, page, base_url: str) -> None:
        self.browser = browser
        self.context = context
        self.page = page
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        origin = re.match(r"https?://[^/]+", base_url).group(0)
        page.on("pageerror", lambda error: self.errors.append(f"script: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("request", lambda request: _elsewhere(request.url, origin) and self.elsewhere.append(request.url))

    def _console(self, message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):  # see _response
            self.errors.append(message.text)

    def _response(self, response) -> None:
        """A stylesheet, script or image that failed (pages themselves may answer 403/404 on purpose; Chromium
        asks for /favicon.ico on its own)."""
        request = response.request
        if response.status >= 400 and request.resource_type != "document" and not request.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {request.url}")

    async def do(self, steps: Callable[..., T], *args: Any) -> T:
        """`steps(page, *args)` in the browser's thread (Playwright's sync API)."""
        return await self.browser.call(steps, self.page, *args)

    async def screenshot(self, name: str) -> Path:
        """A full-page screenshot as `<name>.png` in the screenshot folder."""
        path = self.browser.screenshots / f"{name}.png"
        await self.do(lambda page: page.screenshot(path=str(path), full_page=True))
        return path


def _elsewhere(url: str, origin: str) -> bool:
    return not (url.startswith(origin + "/") or url == origin or url.startswith(("data:", "blob:", "about:")))


def sign_in_by_link(page, link: str) -> str:
    """Open a sign-in link as a coach does (its page posts the token by script) and land on the caseload: the
    path the browser ends on."""
    page.goto(link)
    page.wait_for_url(re.compile(r"/dashboard/caseload"))
    return page.url


def tab_until(page, matches: Callable[[Any], bool], limit: int = 60) -> str:
    """Press Tab until the focused element `matches` (given its JSHandle-free description: a dict with `tag`,
    `text`, `href`); its description, or AssertionError after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e ? {tag: e.tagName.toLowerCase(),"
            " text: (e.innerText || e.value || '').trim(), href: e.getAttribute('href') || ''} : null; }"
        )
        if focused and matches(focused):
            return focused
    raise AssertionError(f"no matching element reached with Tab in {limit} presses")
