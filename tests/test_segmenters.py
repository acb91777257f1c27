"""The same figures (value, unit, kind) whichever segmenter backend runs (issue 2).

Each backend runs in a fresh interpreter: the backend is chosen once per process
(ZHIBIAO_SEGMENTER, extractor/segment.py) and its user dictionary is process state.
bench/speed.py makes the same check on the whole real corpus.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [
    "年初预算安排教育经费247276万元,比上年增加50676万元,增长25.78%。",
    "全年全市生产总值突破1.2万亿元,同比增长5.8%,居全省第二位。",
    "新建改扩建幼儿园120所,新增学位3.6万个,普惠性幼儿园覆盖率达到92%以上。",
    "城镇登记失业率控制在4.5%以内,农村居民人均可支配收入增长7.1%,高于城镇2.3个百分点。",
    "民航全行业完成运输总周转量577.44亿吨公里,比上年增长7.1%,其中国内航线完成398.46亿吨公里。",
]
RUN = """
import json, sys
from extractor import extract
from extractor.segment import backend_name
rows = [[r.quote, r.value, r.unit, r.kind] for s in json.loads(sys.argv[1]) for r in extract(s).itertuples()]
print(json.dumps({"backend": backend_name(), "rows": rows}, ensure_ascii=False))
"""


def figures(backend: str) -> dict:
    env = dict(os.environ, ZHIBIAO_SEGMENTER=backend)
    out = subprocess.run([sys.executable, "-c", RUN, json.dumps(SENTENCES, ensure_ascii=False)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_jieba_and_rjieba_give_the_same_figures():
    pytest.importorskip("rjieba")
    a, b = figures("jieba"), figures("rjieba")
    assert (a["backend"], b["backend"]) == ("jieba", "rjieba")
    assert len(a["rows"]) >= 15
    assert a["rows"] == b["rows"]
