"""The detector picks the right encoding: GB18030/GBK, Big5/Big5-HKSCS, UTF-16/32 with and without
BOM, UTF-8 with a pasted run of GBK or Big5; and the byte-shifted GBK repair step.

Test files are built here by encoding text: small self-written snippets (always run) and the
real reports under ../shared (skipped where absent; never copied into the repository).
"""

from __future__ import annotations

import pytest
from conftest import ROOT, shared_or_skip

from extractor.errors import SourceError
from extractor.normalise import normalise, repair_mojibake, unshift_gbk
from extractor.pipeline import extract_text
from extractor.sources import decode_bytes

SIMP = "全市教育经费247276万元，比上年增加50676万元，增长25.78%。新建学校12所，在校学生近20万人。\n" * 3
TRAD = "全市教育經費247276萬元，比上年增加50676萬元，增長25.78%。新建學校12所，在校學生近20萬人。\n" * 3
HKSCS = "政府會繼續推動經濟發展，嘅確保市民生活改善，資助金額達3億元。\n" * 3  # 嘅 is HKSCS only

#: an encoding the detector may name for text written in another (same bytes, same text)
SAME = {"gbk": {"gbk", "gb18030", "gb2312"}, "gb18030": {"gbk", "gb18030"}, "big5": {"big5", "big5hkscs", "cp950"},
        "big5hkscs": {"big5hkscs", "big5"}}

CASES = [
    (SIMP, "gb18030"), (SIMP, "gbk"), (TRAD, "gbk"), (TRAD, "big5"), (TRAD, "big5hkscs"), (HKSCS, "big5hkscs"),
    (SIMP, "utf-8"), (TRAD, "utf-8"),
]


@pytest.mark.parametrize("text, enc", CASES)
def test_legacy_and_utf8_snippets(text, enc):
    got, name = decode_bytes(text.encode(enc))
    assert got == text
    assert name in SAME.get(enc, {enc}), name


@pytest.mark.parametrize("enc, bom, expect", [
    ("utf-16-le", b"\xff\xfe", "utf-16-le"), ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le"), ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32-be"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
])
@pytest.mark.parametrize("text", [SIMP, TRAD, "增长25.78%，新建学校12所。"])
def test_unicode_with_and_without_bom(text, enc, bom, expect):
    body = text.encode(enc)
    got, name = decode_bytes(bom + body)
    assert (got, name) == (text, expect)
    got, name = decode_bytes(body)
    assert got == text
    assert name.replace("-sig", "") == enc


def test_cjk_only_utf16_without_nuls():
    text = "全市教育经费大幅增长学校数量明显增加" * 4
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")


@pytest.mark.parametrize("run_enc", ["gbk", "big5"])
def test_utf8_with_a_pasted_legacy_run(run_enc):
    run = "全市教育經費增長明顯，學校數量繼續增加。"
    before, after = "前言部分，全市经济平稳增长。\n" * 3, "后文增长25.78%。\n" * 4
    data = before.encode() + run.encode(run_enc) + after.encode()
    text, name = decode_bytes(data)
    assert text == before + run + after
    assert name.startswith("utf-8+")


def test_undecodable_bytes_are_one_clear_error():
    with pytest.raises(SourceError) as exc:
        decode_bytes(bytes(range(0x80, 0x100)) * 40, "x.txt")
    assert "x.txt" in str(exc.value) and "\n" not in str(exc.value)


def test_explicit_encoding_wins_and_fails_clearly():
    assert decode_bytes(SIMP.encode("gbk"), encoding="gbk") == (SIMP, "gbk")
    with pytest.raises(SourceError, match="cannot decode as utf-8"):
        decode_bytes(SIMP.encode("gbk"), "r.txt", encoding="utf-8")


# --------------------------------------------------------------------------- the real texts


def _real(name: str) -> str:
    return shared_or_skip("corpus", "real", name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name, enc", [
    ("guangdong_gwr_2025.txt", "gb18030"), ("guangdong_gwr_2025.txt", "gbk"),
    ("caac_communique_2015.txt", "gbk"), ("gwr_2012.txt", "gb18030"),
    ("hongkong_policyaddress_2025.txt", "big5hkscs"), ("hongkong_policyaddress_2025.txt", "big5"),
    ("hongkong_policyaddress_2025.txt", "gb18030"), ("gwr_1954_hant.txt", "big5"),
    ("guangdong_gwr_2025.txt", "utf-16"), ("guangdong_gwr_2025.txt", "utf-16-be"),
    ("caac_communique_2015.txt", "utf-32-le"),
])
def test_detector_on_real_texts(name, enc):
    text = _real(name)
    data = text.encode(enc, errors="replace")  # a few characters outside Big5 become "?"
    truth = data.decode(enc)
    got, picked = decode_bytes(data)
    assert got == truth.lstrip("\ufeff"), picked
    base = enc.replace("-be", "").replace("-le", "")
    assert picked.replace("-be", "").replace("-le", "") in SAME.get(base, {base}), picked


def test_real_text_with_a_gbk_paragraph_inside_utf8():
    text = _real("guangdong_gwr_2025.txt")
    paras = text.split("\n")
    k = len(paras) // 2
    data = "\n".join(paras[:k]).encode() + b"\n" + paras[k].encode("gbk") + b"\n" + "\n".join(paras[k + 1:]).encode()
    got, picked = decode_bytes(data)
    assert picked == "utf-8+gb18030"
    assert got == text


# --------------------------------------------------------------------------- byte-shifted GBK


def _shift(text: str) -> str:
    """What a one-byte shift does to GBK, the way the seed report's runs were made: the bytes are
    read in pairs from the second byte, a pair that is not GBK is dropped, an ASCII byte stands
    alone (the reader falls back into step), and the lost first byte shows as '?'."""
    raw = text.encode("gbk")[1:]
    out, i = ["?"], 0
    while i < len(raw):
        if raw[i] < 0x80:
            out.append(chr(raw[i]))
            i += 1
            continue
        try:
            out.append(raw[i:i + 2].decode("gbk"))
        except UnicodeDecodeError:
            pass
        i += 2
    return "".join(out)


def test_unshift_restores_a_simulated_run():
    original = "。“人民生活水平提高”"
    run = _shift(original)
    fixed = unshift_gbk(run)
    # a pair the shift made invalid was dropped: the characters around it are lost for good,
    # one wrong character stands in their place (hence the "repaired" flag on figures there)
    assert fixed is not None and fixed.startswith("。“人民") and fixed.endswith("提高")


def test_unshift_refuses_what_is_not_shifted():
    assert unshift_gbk("?学校教育") is None          # already clean text
    assert unshift_gbk("?!") is None


def test_seed_runs_repaired_and_flagged(rules):
    seed = (ROOT / "corpus" / "seed_2012_education_bureau.txt").read_text(encoding="utf-8")
    edits = repair_mojibake(seed)
    assert len(edits) >= 4
    assert any(rep.startswith("。“快樂德") for _, _, rep in edits)
    norm = normalise(seed)
    assert any(f == "repaired" for _, _, f in norm.flags)
    assert "快乐德" in norm.text
    rows = extract_text(seed, rules)
    assert all(seed[r["start"]:r["end"]] == r["quote"] for r in rows)


def test_repair_can_be_switched_off(monkeypatch):
    text = "工程漸成品牌?!翱鞓返掠苯?經驗"
    assert "快乐" in normalise(text).text
    assert "快乐" not in normalise(text, skip=frozenset({"repair_mojibake"})).text
    monkeypatch.setenv("ZHIBIAO_SKIP_STEPS", "repair_mojibake")
    assert "快乐" not in normalise(text).text


def test_figure_inside_a_repaired_run_is_flagged(rules):
    run = _shift("。“全市新建学校12所”")
    text = "品牌" + run + "。"
    rows = extract_text(text, rules)
    flagged = [r for r in rows if "repaired" in r["flags"]]
    assert flagged and all(text[r["start"]:r["end"]] == r["quote"] for r in rows)


def test_recorded_mixed_encoding_decodes_again():
    """verify re-reads a source with the encoding recorded in documents; "utf-8+gb18030" must work."""
    data = ("前言部分，全市经济平稳增长。\n" * 3).encode() + "學校數量繼續增加。".encode("gbk") + "增长5%。\n".encode()
    text, name = decode_bytes(data)
    assert decode_bytes(data, "r.txt", encoding=name) == (text, name)


def test_cli_no_repair_and_timeout_set_the_process_defaults(monkeypatch):
    from extractor.cli import build_parser
    from extractor.normalise import default_skip
    from extractor.sources.cli import apply_limits
    from extractor.sources.limits import default_timeout

    for var in ("ZHIBIAO_SKIP_STEPS", "ZHIBIAO_TIMEOUT", "ZHIBIAO_MAX_MB"):
        monkeypatch.setenv(var, "")  # restored after the test
    monkeypatch.delenv("ZHIBIAO_TIMEOUT")
    assert default_timeout() == 300
    args = build_parser().parse_args(["extract", "x.txt", "--no-repair", "--timeout", "5", "--max-mb", "2"])
    apply_limits(args)
    assert "repair_mojibake" in default_skip() and default_timeout() == 5
    from extractor.sources import max_bytes

    assert max_bytes() == 2 * 1024 * 1024


@pytest.mark.parametrize("data", [b"<html><script>var a='99%';</script></html>", b"abcdefgh", b"GDP 12.5%, CPI 2%."])
def test_short_ascii_is_not_taken_for_utf16(data):
    """Regression: even-length ASCII decodes to CJK code points as UTF-16; UTF-8 must win."""
    assert decode_bytes(data) == (data.decode(), "utf-8")
