"""How big and how fast is the review site?  Size and build time of `zhibiao report` on a corpus,
and the time headless Chromium takes to load the largest document page, and a page for a
100k-character report, each against a baseline loaded in the same run: the same text as a plain
escaped <pre> page (ratio = what the highlights, panel and table cost).

    python bench/report_load.py                       # ../shared/corpus/real/*.txt
    python bench/report_load.py --output out/ --runs 7   # an existing output folder
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.cli import main as zhibiao  # noqa: E402
from extractor.report.site import build_site, page_name  # noqa: E402
from extractor.verify import load_text, read_documents  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def load_ms(browser, url: str, runs: int) -> float:
    """Median ms from navigation start to load end plus two animation frames (painted)."""
    times = []
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(url, wait_until="load")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        times.append((time.perf_counter() - t0) * 1000)
        page.close()
    return statistics.median(times)


def plain_page(text: str, path: Path) -> str:
    path.write_text(f'<!DOCTYPE html><meta charset="utf-8"><pre style="white-space:pre-wrap">{html.escape(text)}</pre>',
                    encoding="utf-8")
    return path.as_uri()


def build(corpus_files: list[Path], out: Path, site: Path) -> tuple[float, float]:
    """Extract (seconds) and build the site (seconds)."""
    t0 = time.perf_counter()
    if zhibiao(["extract", *map(str, corpus_files), "--out", str(out), "--no-progress"]) != 0:
        raise SystemExit("extract failed")
    t1 = time.perf_counter()
    build_site(out, site)
    return t1 - t0, time.perf_counter() - t1


def largest_page(out: Path, site: Path) -> tuple[str, int, str, str]:
    """(doc_id, chars, page URL, its text) of the document with the most characters."""
    docs, _ = read_documents(out)
    docs = docs[docs["error"] == ""].sort_values("chars", ascending=False)
    doc = docs.iloc[0].to_dict()
    text = load_text(doc, out).text or ""
    return doc["doc_id"], len(text), (site / "docs" / page_name(doc["doc_id"])).as_uri(), text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "real"))
    ap.add_argument("--glob", default="*.txt")
    ap.add_argument("--output", help="an existing output folder (skips extraction)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="zhibiao-report-bench-"))
    files = sorted(Path(a.corpus).glob(a.glob))
    if a.output:
        out, extract_s = Path(a.output), 0.0
        t = time.perf_counter()
        build_site(out, tmp / "site")
        report_s = time.perf_counter() - t
    else:
        out = tmp / "out"
        extract_s, report_s = build(files, out, tmp / "site")
    size = site_size(tmp / "site")
    doc_id, chars, url, text = largest_page(out, tmp / "site")
    # a 100k-character report: the corpus's largest texts joined (the target: load < 2 s)
    big = tmp / "big" / "big_100k.txt"
    big.parent.mkdir()
    pieces, n = [], 0
    for f in sorted(files, key=lambda p: -p.stat().st_size):
        pieces.append(f.read_text(encoding="utf-8", errors="replace"))
        n += len(pieces[-1])
        if n >= 100_000:
            break
    big.write_text("\n".join(pieces), encoding="utf-8")
    build([big], tmp / "big_out", tmp / "big_site")
    big_text = big.read_text(encoding="utf-8")
    big_url = (tmp / "big_site" / "docs" / page_name("big_100k.txt")).as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=ARGS, headless=True)
        load_ms(browser, url, 1)  # warm-up: the first page also starts the renderer
        res = {
            "documents": len(files), "extract_s": round(extract_s, 2), "report_s": round(report_s, 2),
            "site_bytes": size, "largest_doc": doc_id, "largest_chars": chars,
            "largest_page_bytes": Path(url[len("file://"):]).stat().st_size,
            "largest_load_ms": round(load_ms(browser, url, a.runs), 1),
            "largest_plain_ms": round(load_ms(browser, plain_page(text, tmp / "plain.html"), a.runs), 1),
            "big_chars": len(big_text),
            "big_load_ms": round(load_ms(browser, big_url, a.runs), 1),
            "big_plain_ms": round(load_ms(browser, plain_page(big_text, tmp / "plain_big.html"), a.runs), 1),
        }
        browser.close()
    res["largest_ratio"] = round(res["largest_load_ms"] / res["largest_plain_ms"], 2)
    res["big_ratio"] = round(res["big_load_ms"] / res["big_plain_ms"], 2)
    print(f"site: {res['documents']} documents, {size / 1e6:.1f} MB, report built in {report_s:.1f} s "
          f"(extract {extract_s:.1f} s)")
    print(f"largest page: {doc_id} ({chars} chars, {res['largest_page_bytes'] / 1e6:.2f} MB) loads in "
          f"{res['largest_load_ms']:.0f} ms; plain text {res['largest_plain_ms']:.0f} ms (x{res['largest_ratio']})")
    verdict = "OK" if res["big_load_ms"] < 2000 else "TOO SLOW"
    print(f"100k report: {res['big_chars']} chars loads in {res['big_load_ms']:.0f} ms; plain text "
          f"{res['big_plain_ms']:.0f} ms (x{res['big_ratio']}); target < 2000 ms: {verdict}")
    print(json.dumps(res, ensure_ascii=False))
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
