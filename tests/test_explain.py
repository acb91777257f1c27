"""`zhibiao explain`: every stage is shown, and the rows it prints are those `extract` gives."""

import io

from extractor import extract
from extractor.cli import main
from extractor.explain import Window, explain_text, sentence_window

GDP = "国内生产总值４７．２万亿元，比上年增长９．２%"


def _explain(text, rules, window=None):
    out = io.StringIO()
    rows = explain_text(text, rules, window, out=out)
    return out.getvalue(), rows


def test_every_stage_is_shown(rules):
    shown, rows = _explain(GDP, rules)
    for heading in ("normalisation", "tokens with POS tags", "candidates", "figures", "rows (2)"):
        assert f"== {heading}" in shown
    assert "fold_width: 2 change(s)" in shown
    assert any("４７．２万亿元" in line and "→" in line and "47.2万亿元" in line for line in shown.splitlines())
    assert "生产总值/n" in shown
    assert "'47.2万亿元': number '47.2', unit '万亿元' (money), qualifier exact -> kept" in shown
    assert "kind growth up <- growth.up" in shown
    assert "looked at: before='比上年增长'" in shown
    assert [r["quote"] for r in rows] == ["４７．２万亿元", "９．２%"]


def test_rows_equal_extract(rules):
    _, rows = _explain(GDP, rules)
    df = extract(GDP)
    assert [(r["start"], r["end"], r["kind"], r["rule"]) for r in rows] == list(
        zip(df["start"], df["end"], df["kind"], df["rule"], strict=True))


def test_dropped_candidates_say_why(rules):
    shown, rows = _explain("第3批试点,学生2012年入学,覆盖面广", rules)
    assert "'3批'" in shown and "dropped: ordinal or per-unit (第 before the number)" in shown
    assert rows == []


def test_exclusion_is_named(rules):
    shown, _ = _explain("成立于2012年3月,建成学校12所", rules)
    assert "dropped: exclusion time." in shown or "dropped: time unit" in shown
    assert "'12所'" in shown and "-> kept" in shown


def test_no_candidate_is_said(rules):
    shown, rows = _explain("坚持以人民为中心", rules)
    assert "(none:" in shown and rows == []


def test_sentence_window_around_offset():
    text = "第一句话。国内生产总值47.2万亿元，增长9.2%。第三句"
    win = sentence_window(text, text.index("47.2"))
    assert text[win.start:win.end] == "国内生产总值47.2万亿元，增长9.2%。"
    last = sentence_window(text, len(text))
    assert text[last.start:last.end] == "第三句"


def test_window_rows_index_the_whole_text(rules):
    text = "建成学校5所。\n国内生产总值47.2万亿元，增长9.2%。\n新增就业1200万人。"
    win = sentence_window(text, text.index("47.2"))
    shown, rows = _explain(text, rules, win)
    assert [r["quote"] for r in rows] == ["47.2万亿元", "9.2%"]
    for r in rows:
        assert text[r["start"]:r["end"]] == r["quote"]
    assert "5所" not in shown and "1200万人" not in shown
    assert isinstance(win, Window)


def test_cli_sentence_and_file(tmp_path, capsys):
    assert main(["explain", GDP]) == 0
    assert "growth.up" in capsys.readouterr().out
    p = tmp_path / "r.txt"
    p.write_text("前言。\n全年新增就业1200万人，比上年增加10万人。\n", encoding="utf-8")
    assert main(["explain", "--file", str(p), "--at", "8"]) == 0
    shown = capsys.readouterr().out
    assert "1200万人" in shown and "change" in shown


def test_cli_errors_are_one_line(tmp_path, capsys):
    p = tmp_path / "r.txt"
    p.write_text("建成学校5所。", encoding="utf-8")
    assert main(["explain", "--file", str(p)]) == 2
    assert main(["explain", "--file", str(p), "--at", "999"]) == 2
    assert main(["explain"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("zhibiao: ") for line in err)
    assert "outside the text" in err[1] and "r.txt" in err[1]


def test_sentence_window_ignores_line_wraps():
    line = "全行业完成运输总周转量851.65亿吨公里，比上年增长13.8%；国\n际航线完成运输总周转量292.61亿吨公里，比上年增长21.9%。\n"
    text = "统计公报正文第一段落说明情况而且没有结束\n" * 6 + line
    win = sentence_window(text, text.index("292.61"))
    assert "国\n际航线完成" in text[win.start:win.end]
    assert text[win.start:win.end].endswith("21.9%。")


def _fresh(code: str) -> str:
    """Run code in a fresh interpreter (the segmenter's user words are process state)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def test_explain_shows_the_tokens_attribution_sees_even_in_a_fresh_process():
    # the lexicon's names are taught to the segmenter before tagging; explain printed its tokens
    # before any extraction had done that, so a fresh process showed 国内/生产总值
    out = _fresh("import io\nfrom extractor.explain import explain_text\nfrom extractor.rules import load_rules\n"
                 "buf = io.StringIO()\nexplain_text('国内生产总值47.2万亿元', load_rules(), out=buf)\n"
                 "print(buf.getvalue())")
    tokens = out.split("== tokens", 1)[1].splitlines()[1]
    assert "国内生产总值/" in tokens, tokens


def test_a_sentence_named_by_the_lexicon_alone_does_not_load_the_segmenter():
    out = _fresh("import sys\nfrom extractor import extract\n"
                 "df = extract('2012年全市教育经费247276万元,比上年增长25.78%。')\n"
                 "print(len(df), df['indicator'].tolist(), 'rjieba' in sys.modules or 'jieba' in sys.modules)")
    assert out.split()[0] == "2"
    assert out.strip().endswith("False"), out
