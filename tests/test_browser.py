"""The built site in a real browser (headless Chromium): what a reader sees and can
do.


Every page of the built site is opened twice, in light and in dark mode, with every
request outside the site refused (the book must read offline). A full-page
screenshot of each visit is saved (path printed in the pytest summary). Then:
console errors, images, equations, cell outputs, links and anchors, dark-mode
figures, accessibility (axe-core's WCAG 2 A/AA rules, in both modes), search, and
Live Code against a Jupyter server on 127.0.0.1.

Needs Chromium (Debian: ``apt-get install chromium``; or set RNNBOOK_CHROMIUM to
a Chrome/Chromium binary). Without one these tests are skipped, with a warning.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import web_assets
from conftest import SCREENSHOTS
from live import jupyter_server, live_link, serve_site
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
MODES = ("light", "dark")

# Console messages a page may log without anything being wrong: (pattern, why).
# Empty today; add an entry only with the reason it is harmless.
KNOWN_BENIGN_CONSOLE: tuple[tuple[str, str], ...] = ()


# --- skipping loudly ------------------------------------------------------------------


def skip_loudly(reason: str) -> None:
    warnings.warn(f"BROWSER TESTS SKIPPED: {reason}", UserWarning, stacklevel=2)
    pytest.skip(reason)


def find_chromium() -> str | None:
    for candidate in (
        os.environ.get("RNNBOOK_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        skip_loudly(
            "no Chromium found. Install it (Debian/Ubuntu: "
            "`sudo apt-get install chromium`) "
            "or set RNNBOOK_CHROMIUM=/path/to/chrome, then run `make test` again."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(built_book, browser):
    """The built book served on 127.0.0.1; yields its base URL."""
    if not (built_book / "_static" / "mathjax" / "tex-mml-chtml.js").is_file():
        skip_loudly(
            "the book was built without its pinned MathJax and Thebe "
            "(npm is missing), so it cannot be read offline. "
            "Install Node.js (npm), then `make test` again."
        )
    with serve_site(built_book) as url:
        yield url


@pytest.fixture(scope="module")
def screenshot_dir(pytestconfig) -> Path:
    base = Path(os.environ.get("RNNBOOK_ARTIFACTS") or ROOT / "artifacts")
    folder = base / "screenshots"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    pytestconfig.stash[SCREENSHOTS] = folder
    return folder


# --- one visit per page and mode ------------------------------------------------------


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the built site (relative paths), redirects excepted."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html).as_posix()
        if rel.split("/")[0] in ("_static", "_sources", "_images"):
            continue
        if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8")[:2000]:
            continue  # index.html only forwards to the first page
        pages.append(rel)
    return pages


@dataclass
class Visit:
    page: str
    mode: str
    theme: str = ""
    console: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    figures: list[dict] = field(default_factory=list)
    screenshot: Path | None = None
    violations: list[str] = field(default_factory=list)


# axe-core's WCAG 2 A and AA rules (colour contrast among them), run on the page as
# the reader sees it, folded content opened. One line per failing element.
AXE_JS = """
async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
    resultTypes: ["violations"],
  });
  return result.violations.flatMap(v => v.nodes.map(n =>
    `${v.id} (${v.impact}): ${n.target.join(" ")}: ${(n.failureSummary || "")
      .replace(/\\s+/g, " ").slice(0, 220)}`));
}
"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, fetched by npm and checked against its pinned SHA-512."""
    if shutil.which("npm") is None and not web_assets.is_current(
        web_assets.AXE, web_assets.VENDOR / "test"
    ):
        skip_loudly("npm is missing, so axe-core (the accessibility checker) cannot "
                    "be fetched: install Node.js and run `make test` again")
    folder = web_assets.ensure(web_assets.VENDOR / "test", web_assets.TEST_ASSETS)
    return folder / web_assets.AXE.name / "axe.min.js"


COLLECT_JS = """
() => {
  const main = document.querySelector("main") || document.body;
  const images = Array.from(document.images).map((img, index) => ({
    index, src: img.currentSrc || img.src, alt: (img.getAttribute("alt") || "").trim(),
    complete: img.complete, naturalWidth: img.naturalWidth,
    output: !!img.closest(".cell_output"),
    visible: img.getBoundingClientRect().width > 24 && img.getBoundingClientRect().height > 24,
  }));
  const maths = Array.from(main.querySelectorAll("span.math, div.math"));
  // Not typeset, or typeset as a TeX error (MathJax shows those in red: mjx-merror).
  const unrendered = maths.filter(m => !m.querySelector("mjx-container") || m.querySelector("mjx-merror"))
                          .map(m => m.textContent.slice(0, 80));
  const clone = main.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, .highlight").forEach(e => e.remove());
  const prose = clone.textContent;
  const raw = (prose.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || []);
  const outputs = Array.from(main.querySelectorAll(".cell_output"));
  const errors = [];
  outputs.forEach((o, i) => {
    if (o.querySelector(".output.traceback, .output.error, .ansi-red-fg")) errors.push(`output ${i}: error output`);
    if (o.textContent.includes("Traceback (most recent call last)")) errors.push(`output ${i}: traceback`);
    o.querySelectorAll(".output.stderr").forEach(s => {
      if (/Error|Warning/.test(s.textContent)) errors.push(`output ${i}: stderr: ${s.textContent.slice(0, 120)}`);
    });
  });
  const links = Array.from(document.querySelectorAll("a[href]")).map(a => a.href);
  const rgb = getComputedStyle(document.body).backgroundColor;
  // Code blocks, listings and cell outputs wider than their box (they would scroll sideways).
  const longest = e => e.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
  const wide = Array.from(main.querySelectorAll("pre, div.highlight"))
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.scrollWidth}px in ${e.clientWidth}px: ${longest(e).trim().slice(0, 100)}`);
  return {images, mathCount: maths.length, unrendered, raw, outputErrors: errors, links,
          background: rgb, outputCount: outputs.length, wide};
}
"""  # noqa: E501 (JavaScript, kept as written)


def luminance(pixel) -> float:
    r, g, b = pixel[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def corners(image, inset: int = 2) -> list:
    w, h = image.size
    return [
        image.getpixel((x, y))
        for x in (inset, w - 1 - inset)
        for y in (inset, h - 1 - inset)
    ]


def visit(
    browser, site: str, page_path: str, mode: str, screenshot_dir: Path, axe: Path
) -> Visit:
    from PIL import Image

    result = Visit(page_path, mode)
    context = browser.new_context(
        color_scheme=mode, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()

    def refuse_outside(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            result.outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_outside)
    page.on("console", lambda m: m.type == "error" and result.console.append(m.text))
    page.on("pageerror", lambda e: result.console.append(f"uncaught: {e}"))
    page.goto(f"{site}/{page_path}", wait_until="load")
    all_loaded = "() => Array.from(document.images).every(i => i.complete)"
    # an image that never loads is reported below
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(all_loaded, timeout=15_000)
    page.evaluate(
        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)\n"
        "                          ? MathJax.startup.promise.then(() => true) : true"
    )
    result.theme = page.evaluate("document.documentElement.dataset.theme")
    name = page_path.removesuffix(".html").replace("/", "-")
    result.screenshot = screenshot_dir / f"{name}-{mode}.png"
    # what the reader sees first
    page.screenshot(path=str(result.screenshot), full_page=True)
    # Then open folded content (hidden solutions, code) so it is checked too.
    page.evaluate(
        "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
    )
    # Exercise solutions are sphinx-togglebutton dropdowns: reveal them too.
    page.evaluate(
        "() => document.querySelectorAll('.toggle-hidden')"
        ".forEach(e => e.classList.remove('toggle-hidden'))"
    )
    # Let the unfolding fade-in finish before anything is measured or photographed.
    page.evaluate(
        "() => Promise.all(document.getAnimations().map(a => a.finished))"
        ".then(() => true)"
    )
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(all_loaded, timeout=15_000)
    result.data = page.evaluate(COLLECT_JS)
    page.add_script_tag(path=str(axe))  # injected from disk: no request leaves
    result.violations = page.evaluate(AXE_JS)
    for img in result.data["images"]:
        if not img["output"] or not img["naturalWidth"]:
            continue
        figure = {"src": img["src"], "rendered_corners": []}
        if img["visible"]:
            shot = page.locator("img").nth(img["index"]).screenshot()
            # Inside the theme's padding (0.5rem) around output images in dark mode.
            figure["rendered_corners"] = corners(
                Image.open(io.BytesIO(shot)).convert("RGB"), inset=12
            )
        result.figures.append(figure)
    context.close()
    return result


@pytest.fixture(scope="module")
def visits(browser, site, built_book, screenshot_dir, axe_script) -> list[Visit]:
    pages = site_pages(built_book)
    assert "book/intro.html" in pages and "search.html" in pages
    return [
        visit(browser, site, page, mode, screenshot_dir, axe_script)
        for page in pages
        for mode in MODES
    ]


def report(problems: list[str]) -> str:
    return "\n".join(problems[:60]) + (
        f"\n... and {len(problems) - 60} more" if len(problems) > 60 else ""
    )


# --- every page -----------------------------------------------------------------------


def test_every_page_opens_in_both_modes_and_is_screenshotted(visits, built_book):
    assert {v.page for v in visits} == set(site_pages(built_book))
    for v in visits:
        assert v.theme == v.mode, (
            f"{v.page}: asked for {v.mode} mode, got data-theme={v.theme!r}"
        )
        assert v.screenshot.is_file() and v.screenshot.stat().st_size > 10_000, (
            v.screenshot
        )


def test_pages_log_no_console_errors(visits):
    problems = []
    for v in visits:
        for message in v.console:
            if not any(
                re.search(pattern, message) for pattern, _ in KNOWN_BENIGN_CONSOLE
            ):
                problems.append(f"{v.page} ({v.mode}): {message}")
    assert not problems, "console errors:\n" + report(problems)


def test_pages_need_nothing_from_the_internet(visits):
    problems = [
        f"{v.page} ({v.mode}) requested {url}" for v in visits for url in v.outside
    ]
    assert not problems, "the site must read offline:\n" + report(problems)


def has_alt_text(img: dict) -> bool:
    """Sphinx falls back to the image's path as its alt text; that describes nothing."""
    alt = img["alt"]
    return (
        bool(alt)
        and not re.search(r"\.(png|jpe?g|svg|gif|webp)$", alt, re.IGNORECASE)
        and Path(urlsplit(img["src"]).path).name not in alt
    )


def test_every_image_loads_and_has_alt_text(visits):
    problems = []
    for v in visits:
        for img in v.data["images"]:
            if not img["complete"] or img["naturalWidth"] == 0:
                problems.append(
                    f"{v.page} ({v.mode}): image did not load: {img['src']}"
                )
            if not has_alt_text(img):
                problems.append(
                    f"{v.page} ({v.mode}): image without alt text: {img['src']} "
                    "(give the cell `mystnb: image: alt:`)"
                )
    assert not problems, report(problems)
    assert any(img["output"] for v in visits for img in v.data["images"]), (
        "no figure found at all"
    )


def test_every_equation_renders(visits):
    problems = []
    for v in visits:
        for tex in v.data["unrendered"]:
            problems.append(f"{v.page} ({v.mode}): equation not rendered: {tex}")
        if v.data["raw"]:
            problems.append(
                f"{v.page} ({v.mode}): raw TeX delimiters in the text: "
                f"{v.data['raw'][:5]}"
            )
    assert not problems, report(problems)
    assert sum(v.data["mathCount"] for v in visits) > 0, "no equation found at all"


def test_no_cell_output_shows_an_error(visits):
    problems = [
        f"{v.page}: {e}"
        for v in visits
        if v.mode == "light"
        for e in v.data["outputErrors"]
    ]
    assert not problems, report(problems)
    assert sum(v.data["outputCount"] for v in visits) > 0


def test_no_code_block_is_wider_than_the_page(visits):
    """Every code cell, listing and output fits its box: nothing scrolls or is cut off
    sideways."""
    problems = [
        f"{v.page}: {w}" for v in visits if v.mode == MODES[0] for w in v.data["wide"]
    ]
    assert not problems, report(problems)


def _ids(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.find_all(id=True)} | {
            tag["name"] for tag in soup.find_all("a", attrs={"name": True})
        }
    return cache[path]


def test_pages_pass_the_accessibility_checker(visits):
    """axe-core finds no WCAG 2 A/AA violation (contrast, names, labels) on any page,
    in light or dark mode, solutions and folded code opened."""
    problems = [f"{v.page} [{v.mode}] {line}" for v in visits for line in v.violations]
    assert not problems, report(problems)


def test_internal_links_and_anchors_resolve(visits, site, built_book):
    problems, cache, checked = [], {}, 0
    for v in visits:
        if v.mode != "light":
            continue
        for href in v.data["links"]:
            if not href.startswith(site + "/"):
                continue  # another site: not reachable offline, not ours to check
            parts = urlsplit(href)
            path = built_book / parts.path.lstrip("/")
            if parts.path.endswith("/"):
                path = path / "index.html"
            checked += 1
            if not path.is_file():
                problems.append(f"{v.page}: link to a missing file: {href}")
            elif (
                parts.fragment
                and path.suffix == ".html"
                and parts.fragment not in _ids(path, cache)
            ):
                problems.append(f"{v.page}: link to a missing anchor: {href}")
    assert not problems, report(problems)
    assert checked > 0


def test_figures_stay_legible_in_dark_mode(visits, built_book, site):
    """Figures carry an opaque white background (rnnbook.use_book_style), so dark mode
    shows dark ink on a light card instead of dark ink on a dark page."""
    from PIL import Image

    problems, figures = [], 0
    for v in visits:
        if v.mode != "dark":
            continue
        page_bg = [int(x) for x in re.findall(r"\d+", v.data["background"])[:3]]
        assert luminance(page_bg) < 80, (
            f"{v.page}: dark mode did not darken the page ({page_bg})"
        )
        for figure in v.figures:
            figures += 1
            file = built_book / urlsplit(figure["src"]).path.lstrip("/")
            with Image.open(file) as png:
                rgba = png.convert("RGBA")
            for pixel in corners(rgba, inset=0):
                if pixel[3] != 255 or min(pixel[:3]) < 245:
                    problems.append(
                        f"{v.page}: {file.name} corner pixel {pixel} "
                        "is not opaque white"
                    )
                    break
            for pixel in figure["rendered_corners"]:  # the theme dims white to ~220
                if luminance(pixel) < 150:
                    problems.append(
                        f"{v.page}: {file.name} shows a dark corner {pixel} "
                        "in dark mode"
                    )
                    break
    assert not problems, report(problems)
    assert figures > 0, "no figure checked in dark mode"
    assert any(f["rendered_corners"] for v in visits for f in v.figures), (
        "no figure seen on screen"
    )


# --- search ---------------------------------------------------------------------------


def test_search_finds_a_term_from_the_prose(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/book/intro.html")
    page.click(
        ".search-button-field"
    )  # the sidebar's search box opens the search dialog
    page.keyboard.type("unfold")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=unfold*")
    page.wait_for_selector("ul.search li a", timeout=30_000)
    hits = page.eval_on_selector_all(
        "ul.search li a", "links => links.map(a => a.href)"
    )
    context.close()
    assert any(urlsplit(h).path == "/book/intro.html" for h in hits), hits


# --- Live Code ------------------------------------------------------------------------


def test_live_code_accepts_only_a_server_on_this_computer(browser, site):
    context = browser.new_context()
    page = context.new_page()
    stored = "() => localStorage.getItem('rnnbook-jupyter-server')"
    page.goto(f"{site}/book/intro.html?jupyter=http://example.org:8888/&token=secret")
    assert page.evaluate(stored) is None
    assert "secret" not in page.url
    page.goto(f"{site}/book/intro.html?jupyter=http://127.0.0.1:9/tree?token=abc")
    assert page.evaluate(stored) == '{"baseUrl":"http://127.0.0.1:9/","token":"abc"}'
    assert "abc" not in page.url and "jupyter" not in page.url
    page.goto(f"{site}/book/intro.html?jupyter=binder")
    assert page.evaluate(stored) is None
    context.close()


def test_live_code_runs_the_pages_cells_and_rnnbook_in_the_page(
    browser, site, tmp_path, screenshot_dir
):
    import rnnbook

    expected = (
        f"rnnbook {rnnbook.__version__} drew "
        f"{len(rnnbook.unfolded_rnn(num_steps=2).axes)} axes"
    )
    typed = (
        "import rnnbook\n"
        "fig = rnnbook.unfolded_rnn(num_steps=2)\n"
        'print("rnnbook", rnnbook.__version__, "drew", len(fig.axes), "axes")\n'
        "fig"
    )
    stdout = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'
    with jupyter_server(
        tmp_path, allow_origin=site, log_path=tmp_path / "jupyter.log"
    ) as (url, token):
        context = browser.new_context()
        page = context.new_page()
        console = []
        page.on("console", lambda m: m.type == "error" and console.append(m.text))
        page.goto(live_link(site, "book/intro.html", url, token))
        # The first cell whose input is shown and whose output is printed text.
        page.evaluate(
            "() => document.querySelector(\n"
            '            "div.cell:has(.cell_input pre)'
            ':has(.cell_output .output.stream)").dataset.testCell = "live" '

        )
        first = page.locator("div.cell[data-test-cell=live]")
        built_output = first.locator(".cell_output").inner_text().strip()

        # Press "Live Code" in the launch menu, as a reader would.
        state = _press_live_code(page)
        status = page.inner_text(".thebe-launch-button")
        assert state == "ready", f"{status}\n(jupyter log: {tmp_path / 'jupyter.log'})"
        assert url in status

        # The page's own cell runs in the page and prints what the build printed
        # (its print is its last statement: once it shows, the cell has finished).
        first.locator(".thebe-run-button").click()
        first.locator(f".cell_output {stdout}").wait_for(timeout=120_000)
        assert first.locator(".cell_output").inner_text().strip() == built_output

        # A cell the reader edits to call rnnbook runs, printing and drawing.
        first.locator(".CodeMirror").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(typed)
        first.locator(".thebe-run-button").click()
        page.wait_for_function(
            "([cell, text]) => "
            "cell.querySelector('.cell_output').innerText.includes(text)",
            arg=[first.element_handle(), "rnnbook"],
            timeout=120_000,
        )
        printed = first.locator(f".cell_output {stdout}").inner_text().strip()
        first.locator(".cell_output img").first.wait_for(timeout=30_000)
        page.screenshot(path=str(screenshot_dir / "live-code.png"))
        context.close()
    print(f"\nLive Code printed: {printed!r}")
    assert printed == expected
    assert not console, console


def _press_live_code(page) -> str:
    page.click("button[aria-label='Launch interactive content']")
    page.click("button.btn-launch-thebe")
    page.wait_for_function(
        "['ready', 'failed'].includes(document.documentElement.dataset.liveCode)",
        timeout=60_000,
    )
    return page.evaluate("document.documentElement.dataset.liveCode")


def test_live_code_asks_binder_for_this_repository_by_default(browser, site):
    """Published, Live Code builds this repository's branch on mybinder.org (refused
    here)."""
    import yaml

    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    org_repo = urlsplit(repo["url"]).path.strip("/")
    context = browser.new_context()
    page = context.new_page()
    asked = []

    def refuse_outside(route):
        if not route.request.url.startswith(site):
            asked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse_outside)
    page.goto(f"{site}/book/intro.html")
    assert _press_live_code(page) == "failed"  # no internet here
    status = page.inner_text(".thebe-launch-button")
    context.close()
    assert "mybinder.org" in status
    assert any(
        u.startswith(f"https://mybinder.org/build/gh/{org_repo}/{repo['branch']}")
        for u in asked
    ), asked


def test_live_code_says_so_when_the_local_server_is_gone(browser, site):
    from live import free_port

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/book/intro.html?jupyter=http://127.0.0.1:{free_port()}/&token=x")
    assert _press_live_code(page) == "failed"
    status = page.inner_text(".thebe-launch-button")
    context.close()
    assert "could not start a kernel" in status and "make live" in status


# --- Live Code: the other routes when Binder does not come (issue 19) -----------------


def _fallback_links(page) -> dict:
    page.wait_for_selector(".rnnbook-live-fallback", timeout=60_000)
    return page.evaluate("""() => {
        const box = document.querySelector('.rnnbook-live-fallback');
        return {text: box.innerText,
                links: [...box.querySelectorAll('a')].map(a => a.href)};
    }""")


def test_a_failed_binder_launch_offers_colab_the_notebook_and_make_live(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(site) else route.abort()
        ),
    )
    page.goto(f"{site}/book/intro.html?jupyter=binder")
    assert _press_live_code(page) == "failed"
    box = _fallback_links(page)
    context.close()
    assert any(
        u.startswith("https://colab.research.google.com/github/")
        and u.endswith("/book/intro.ipynb")
        for u in box["links"]
    ), box
    assert f"{site}/_sources/book/intro.ipynb" in box["links"], box
    assert "make live" in box["text"] and "could not start" in box["text"]


def test_a_binder_launch_that_hangs_offers_the_other_routes_after_the_wait(
    browser, site
):
    context = browser.new_context()
    page = context.new_page()
    hanging = []  # requests to Binder are left unanswered, as on a busy day

    def route(r):
        if r.request.url.startswith(site):
            r.continue_()
        elif "mybinder.org" in r.request.url:
            hanging.append(r)
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(f"{site}/book/intro.html?jupyter=binder")
    page.evaluate("window.rnnbookLive.binderPatienceMs = 1500")  # a minute, on the site
    page.click("button[aria-label='Launch interactive content']")
    page.click("button.btn-launch-thebe")
    box = _fallback_links(page)
    state = page.evaluate("document.documentElement.dataset.liveCode")
    context.close()
    assert hanging and state != "ready"
    assert "after a minute" in box["text"] and "make live" in box["text"]
    assert f"{site}/_sources/book/intro.ipynb" in box["links"], box
