"""The review site in a real browser: Debian's Chromium, headless, driven by Playwright.

Skips (with the reason) where /usr/bin/chromium or playwright is missing; never lets Playwright
download a browser (.ci/run installs Chromium with apt).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main
from extractor.report.site import build_site
from extractor.table import INDICATOR_SCHEMA, read_table

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("ZHIBIAO_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
FILLER = "这一段没有数字，只是为了让页面足够长，链接必须滚动才能看到目标。\n" * 60
REPORT = (
    "<script>window.__pwned = 1</script>\n" + FILLER
    + "全市教育经费247276万元，比上年增加50676万元，增长25.78%。\n"
    + FILLER + "全市共有学校1,234所，在校学生约35.6万人，排名全省第一。\n" + FILLER
)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) for the browser test")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    (root / "corpus").mkdir()
    (root / "corpus" / "a.txt").write_text(REPORT, encoding="utf-8")
    out = root / "out"
    assert main(["extract", str(root / "corpus"), "--out", str(out), "--no-progress"]) == 0
    rows = read_table(out / "indicators.parquet", INDICATOR_SCHEMA).sort_values("start")
    pd.DataFrame([{"doc_id": "a.txt", "check": "growth", "status": "inconsistent",
                   "figures": " ".join(f"{s}-{e}" for s, e in zip(rows["start"][:3], rows["end"][:3], strict=True)),
                   "expression": "50676 / 196600 = 25.78%", "message": "test"}]).to_csv(out / "audit.csv", index=False)
    build_site(out, root / "site")
    return root / "site"


def _in_view(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect();"
                                           " return r.bottom > 0 && r.top < window.innerHeight; }")


def test_document_page(browser, site: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto((site / "docs" / "a.txt.html").as_uri())
    figs = page.locator("a.fig")
    assert figs.count() == page.locator("#figs tbody tr").count() >= 5
    # escaped: the report's <script> is text, it never ran
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.inner_text("#text")
    # highlighted by kind: a coloured background from the legend's class
    assert page.eval_on_selector("#f1", "e => getComputedStyle(e).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")
    # audit marks
    assert "50676 / 196600" in (page.get_attribute("#f2", "title") or "")
    # panel on hover shows the row's fields
    assert not page.is_visible("#panel")
    page.hover("#f2")
    assert page.is_visible("#panel")
    for key in ("value_norm", "unit_norm", "kind", "indicator"):
        col = page.eval_on_selector(f'#figs th[data-k="{key}"]', "e => e.cellIndex")
        cell = page.eval_on_selector(f"#r2 td:nth-child({col + 1})", "e => e.textContent")
        assert page.inner_text(f'#panel dd[data-k="{key}"]').strip() == cell.strip()
    assert "✗ growth" in page.inner_text('#panel dd[data-k="audit"]')
    # text -> table row -> back to the text
    page.click("#f2")
    page.wait_for_function("location.hash === '#r2'")
    assert _in_view(page, "#r2") and not _in_view(page, "#f2")
    page.click('#r2 a[href="#f2"]')
    page.wait_for_function("location.hash === '#f2'")
    assert _in_view(page, "#f2")
    shot = tmp_path / "document.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 5000
    page.close()


def test_index_sorts_and_links(browser, site: Path) -> None:
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator("svg").count() >= 2
    page.click('#docs th[data-k="figures"]')
    assert page.get_attribute('#docs th[data-k="figures"]', "data-dir") == "asc"
    page.click("#docs tbody a")
    page.wait_for_load_state()
    assert page.url.endswith("/docs/a.txt.html")
    page.close()


def test_figure_table_sorts_numerically(browser, site: Path) -> None:
    page = browser.new_page()
    page.goto((site / "docs" / "a.txt.html").as_uri())
    th = '#figs th[data-k="value_norm"]'
    col = page.eval_on_selector(th, "e => e.cellIndex")
    page.click(th)
    vals = page.eval_on_selector_all(f"#figs tbody td:nth-child({col + 1})", "es => es.map(e => e.dataset.v)")
    nums = [float(v) for v in vals]
    assert nums == sorted(nums) and len(nums) >= 5
    page.click(th)
    vals = page.eval_on_selector_all(f"#figs tbody td:nth-child({col + 1})", "es => es.map(e => Number(e.dataset.v))")
    assert vals == sorted(vals, reverse=True)
    page.close()
