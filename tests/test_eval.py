"""`zhibiao eval`: hand-computed numbers on a tiny gold file, and the shared scorer's numbers on the dev gold."""

import importlib.util
import json

import pytest
from conftest import shared_or_skip

from extractor import extract
from extractor.cli import main
from extractor.evaluate import indicator_ok, load_gold, score_document, unit_same
from extractor.table import INDICATOR_SCHEMA, to_arrow, write_csv

TEXT = "2012年建成学校12所，投入资金3000万元，十三五期间增长5%。附录99个"
RANGES = [(0, TEXT.index("附录"))]


def _span(s, **kw):
    a = TEXT.index(s)
    return {"start": a, "end": a + len(s), "text": s, **kw}


def _gold():
    fig = {"qualifier": "exact", "tier": "core"}
    return [
        _span("2012年", value_norm=2012, unit_norm="年", kind="nonindicator", indicator="", qualifier="exact",
              tier="none"),
        _span("12所", value_norm=12, unit_norm="所", kind="level", indicator="学校数", **fig),
        _span("3000万元", value_norm=3e7, unit_norm="元", kind="level", indicator="资金", **fig),
        _span("十三五", value_norm=13, unit_norm="", kind="nonindicator", indicator="", qualifier="exact",
              tier="ignore"),
        _span("5%", value_norm=5, unit_norm="%", kind="growth", indicator="增长", qualifier="exact",
              tier="extended"),
    ]


def _pred(s, **kw):
    a = TEXT.index(s)
    row = {"doc_id": "tiny.txt", "start": a, "end": a + len(s), "quote": s, "qualifier": "exact", "kind": "level",
           "indicator": "", "value_norm": 1.0, "unit_norm": ""}
    row.update(kw)
    return row


def _preds():
    return [
        _pred("2012年", value_norm=2012, unit_norm="年"),                                 # on a `none` span: FP
        _pred("12所", value_norm=12, unit_norm="所", indicator="学校"),                   # all right
        _pred("3000万元", value_norm=3000, unit_norm="元", kind="change", indicator="投入资金"),  # value, kind wrong
        _pred("十三", value_norm=13, unit_norm=""),                                        # on `ignore`: not counted
        _pred("99个", value_norm=99, unit_norm="个"),                                      # outside the ranges
    ]


def test_tiny_gold_by_hand():
    s = score_document("tiny", _gold(), _preds(), TEXT, RANGES).summary()
    assert (s["gold"], s["pred"], s["fp"], s["fp_on_nonindicators"]) == (3, 3, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 3)
    assert s["core_recall"] == 1.0 and s["extended_recall"] == 0.0
    assert (s["value_acc"], s["kind_acc"], s["qualifier_acc"], s["indicator_acc"]) == (0.5, 0.5, 1.0, 1.0)
    assert s["quote_mismatch"] == 0


def test_misses_are_listed():
    m = score_document("tiny", _gold(), _preds(), TEXT, RANGES).misses
    assert [x["text"] for x in m["missed"]] == ["5%"]
    assert [x["quote"] for x in m["spurious"]] == ["2012年"]
    assert [x["text"] for x in m["value"]] == ["3000万元"] and m["kind"][0]["pred"] == "change"


def test_matching_is_one_to_one_by_overlap():
    gold = [{"start": 0, "end": 4, "text": "abcd", "tier": "core", "value_norm": 1, "unit_norm": "", "kind": "level",
             "qualifier": "exact", "indicator": ""}]
    preds = [{"start": 0, "end": 2, "quote": "ab"}, {"start": 1, "end": 4, "quote": "bcd"}]
    s = score_document("x", gold, preds).summary()
    assert (s["pred"], s["fp"], s["recall"]) == (2, 1, 1.0)


def test_field_rules():
    assert unit_same("人", "名") and unit_same("个百分点", "pp") and unit_same("个工作日", "工作日")
    assert not unit_same("元", "美元")
    assert indicator_ok("国内生产总值", "生产总值") and indicator_ok("國內生產總值", "国内生产总值")
    assert not indicator_ok("", "学校") and not indicator_ok("资金", "学校数")


def _gold_dir(tmp_path):
    gold = tmp_path / "gold" / "dev"
    gold.mkdir(parents=True)
    (gold / "tiny.jsonl").write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in _gold()) + "\n",
                                     encoding="utf-8")
    (gold / "tiny_relations.jsonl").write_text("", encoding="utf-8")
    (gold / "ranges.json").write_text(json.dumps({"tiny.txt": RANGES}), encoding="utf-8")
    corpus = tmp_path / "corpus" / "real"
    corpus.mkdir(parents=True)
    (corpus / "tiny.txt").write_text(TEXT, encoding="utf-8")
    return gold


def test_cli_with_pred_table(tmp_path, capsys):
    gold = _gold_dir(tmp_path)
    assert [g.stem for g in load_gold(gold)] == ["tiny"]
    pred = tmp_path / "indicators.csv"
    write_csv(to_arrow(_preds(), INDICATOR_SCHEMA), pred)
    assert main(["eval", "--gold", str(gold), "--pred", str(pred), "--json", "--show"]) == 0
    out = capsys.readouterr().out
    pooled = json.loads([ln for ln in out.splitlines() if ln.startswith('{"doc": "ALL"')][0])
    assert (pooled["gold"], pooled["pred"], pooled["precision"]) == (3, 3, pytest.approx(0.6667, abs=1e-3))
    assert "## tiny: missed (1)" in out


def test_cli_extracts_the_corpus_itself(tmp_path, capsys):
    gold = _gold_dir(tmp_path)
    assert main(["eval", "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("document") and "ALL" in out


def test_cli_errors(tmp_path, capsys):
    assert main(["eval", "--gold", str(tmp_path / "missing")]) == 2
    gold = _gold_dir(tmp_path)
    assert main(["eval", "--gold", str(gold), "--pred", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(e.startswith("zhibiao: ") for e in err)


def test_equals_shared_scorer_on_dev_gold():
    gold_dir = shared_or_skip("gold", "dev")
    tools = shared_or_skip("tools", "score.py")
    spec = importlib.util.spec_from_file_location("shared_score", tools)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    corpus = gold_dir.parent.parent / "corpus" / "real"
    for g in load_gold(gold_dir):
        src = corpus / f"{g.stem}.txt"
        pred = extract(src)
        text = src.read_text(encoding="utf-8")
        theirs = scorer.score(g.figures, pred, text, g.ranges)
        theirs.pop("_misses")
        mine = score_document(g.stem, g.figures, pred.to_dict("records"), text, g.ranges).summary()
        for key, want in theirs.items():
            assert mine[key] == pytest.approx(want), f"{g.stem}: {key}"
