"""Fuzz normalisation, number parsing, decoding, the format readers and the whole extract.

Run outside CI (it is time-bound, not example-bound):

    python bench/fuzz.py --minutes 10            # all targets, time shared between them
    python bench/fuzz.py --minutes 2 --target extract

Why hypothesis, not atheris: hypothesis is already a test dependency and shrinks what it finds to
a small input; the strategies mix report-like fragments (numbers, units, qualifiers, pinyin,
mojibake, PDF line breaks, real corpus slices when ../shared is present) with arbitrary text, so
the search spends its time where the pipeline branches.  Each crash or offset violation is
shrunk, printed and appended to bench/fuzz_found.jsonl; turn those into regression tests
(tests/test_hostile.py holds the ones found so far).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from decimal import DecimalException
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.errors import SourceError  # noqa: E402
from extractor.normalise import normalise  # noqa: E402
from extractor.numbers import parse_number  # noqa: E402
from extractor.pipeline import extract_text  # noqa: E402
from extractor.rules import load_rules  # noqa: E402
from extractor.sources import decode_bytes  # noqa: E402
from extractor.sources.formats import read_docx, read_markup, read_pdf  # noqa: E402

FOUND = ROOT / "bench" / "fuzz_found.jsonl"
SHARED = Path(os.environ.get("ZHIBIAO_SHARED", ROOT.parent / "shared")) / "corpus" / "real"

FRAGMENTS = [
    "247276", "４７．２", "25.78", "1,234.5", "4 000", "2 3", "6%－6.5%", "-", "－", "~", "至", "万元", "亿元", "万亿",
    "%", "％", "个百分点", "個(gè)百分點", "萬人次", "吨公里", "亿吨公里", "余", "多", "近", "约", "左右", "以上",
    "不少于", "增长", "下降", "比上年", "同比", "第", "每", "全省第一", "一", "两", "十", "百", "千", "三千五百万",
    "一点五", "二〇一二年", "百分之", "（", "）", "(", ")", "。", "，", "；", "：", "\n", "\n\n", "  ", "\u3000",
    "\t", "报(bào)", "學(xué)", "?!翱鞓返掠苯", "\ufffd", "[4]", "\n3\n", "\n 12 \n", "........ 1", "\r\n",
    "教育经费", "國內航線", "旅客运输量", "年", "月", "日", "/", ".", ",", "0", "05", "1/7", "1/0",
]


def _corpus_slices() -> list[str]:
    out = []
    for p in sorted(SHARED.glob("*.txt"))[:40]:
        t = p.read_text(encoding="utf-8")
        out += [t[i:i + 200] for i in range(0, min(len(t), 20000), 997)]
    seed = ROOT / "corpus" / "seed_2012_education_bureau.txt"
    if seed.exists():
        t = seed.read_text(encoding="utf-8")
        out += [t[i:i + 200] for i in range(0, len(t), 301)]
    return out


SLICES = _corpus_slices() or ["全市教育经费247276万元,比上年增加50676万元,增长25.78%。"]
_TEXTISH = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(SLICES), _TEXTISH), max_size=30).map("".join)
NUMBERISH = st.lists(st.sampled_from(list("0123456789.,/ 零〇一二两三四五六七八九十百千万亿点百分之壹贰拾佰仟")),
                     max_size=20).map("".join)

RULES = load_rules(ROOT / "rules")


def record(target: str, value, exc: BaseException) -> None:
    item = {"target": target, "input": value if isinstance(value, str) else repr(value),
            "error": f"{exc.__class__.__name__}: {exc}"}
    with FOUND.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def check_normalise(text: str) -> None:
    norm = normalise(text)
    assert len(norm.starts) == len(norm.text) == len(norm.ends), "offset map length"
    for i in range(len(norm.text)):
        assert 0 <= norm.starts[i] <= norm.ends[i] <= len(text), f"offset map out of range at {i}"


def check_number(s: str) -> None:
    try:
        parse_number(s)
    except DecimalException:
        pass  # the documented failure: not a number


def check_extract(text: str) -> None:
    for row in extract_text(text, RULES):
        assert text[row["start"]:row["end"]] == row["quote"], f"offset violation {row['quote']!r}"
        assert row["start"] < row["end"], "empty span"


def check_decode(data: bytes) -> None:
    try:
        text, enc = decode_bytes(data, "<fuzz>")
    except SourceError:
        return
    assert isinstance(text, str) and enc
    check_extract(text[:2000])


def check_readers(data: bytes) -> None:
    for reader, args in ((read_docx, ()), (read_pdf, ()), (read_markup, (".html",)), (read_markup, (".xml",))):
        try:
            reader(data, "<fuzz>", *args)
        except SourceError:
            pass


BYTES = st.one_of(
    st.binary(max_size=400),
    TEXT.map(lambda t: t.encode("gb18030")),
    TEXT.map(lambda t: t.encode("utf-8")),
    TEXT.map(lambda t: t.encode("utf-16")),
    st.tuples(TEXT, TEXT).map(lambda p: p[0].encode("utf-8") + p[1].encode("gb18030")),
)
MARKUP = st.one_of(
    BYTES,
    TEXT.map(lambda t: f"<html><script>x=1</script><p>{t}</p></html>".encode()),
    st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b),
    st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
)

TARGETS = {
    "normalise": (TEXT, check_normalise),
    "numbers": (NUMBERISH, check_number),
    "extract": (TEXT, check_extract),
    "decode": (BYTES, check_decode),
    "readers": (MARKUP, check_readers),
}


def run_target(name: str, seconds: float) -> tuple[int, int]:
    """Run one target for `seconds`; returns (examples, failures)."""
    strategy, check = TARGETS[name]
    count = fails = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        @settings(max_examples=300, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def prop(value):
            nonlocal count
            count += 1
            try:
                check(value)
            except AssertionError as exc:
                record(name, value, exc)
                raise
            except Exception as exc:
                record(name, value, exc)
                raise

        try:
            prop()
        except Exception:
            fails += 1
            traceback.print_exc(limit=3)
    return count, fails


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="total run time (default 10)")
    ap.add_argument("--target", choices=sorted(TARGETS), action="append", help="only these targets")
    args = ap.parse_args(argv)
    names = args.target or list(TARGETS)
    share = args.minutes * 60 / len(names)
    total_fails = 0
    t0 = time.monotonic()
    print(f"{'target':<10} {'examples':>9} {'failures':>8} {'seconds':>8}")
    for name in names:
        t = time.monotonic()
        n, f = run_target(name, share)
        total_fails += f
        print(f"{name:<10} {n:>9} {f:>8} {time.monotonic() - t:>8.0f}", flush=True)
    print(f"total {time.monotonic() - t0:.0f} s, {total_fails} failing run(s); found inputs in {FOUND}")
    return 1 if total_fails else 0


if __name__ == "__main__":
    sys.exit(main())
