"""The contract users check against: text[start:end] == quote for every row, whatever the cleaning."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import extract

# Alphabet biased towards what breaks offset maps: digits (half and full width), units,
# qualifiers, pinyin annotations, Traditional characters, spaces and line breaks.
PIECES = [
    "247276", "４７．２", "25.78", "1,234", "4 000", "萬元", "万元", "亿吨公里", "%", "％", "个百分点",
    "個(gè)", "報(bào)", "(其中完成13所,啟動5所)", "余", "近", "约", "以上", "左右", "比上年增长", "增加",
    "\n", " ", "\u3000", "，", ",", "。", "﹙一﹚", "(2010-2020)", "第", "全省第一", "两场", "万余册",
    "6%－6.5%", "300-500元", "1/7", "?!翱鞓返掠苯", "\ufeff", "２０１２年", "[4]", "\n 3\n",
]
text_strategy = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=string.digits + "元人所万亿%.,- \n年月", max_size=6)),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_strategy)
def test_random_text_never_crashes_and_quotes_hold(text):
    df = extract(text)
    for row in df.itertuples():
        assert 0 <= row.start < row.end <= len(text)
        assert text[row.start:row.end] == row.quote


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(text):
    df = extract(text)
    for row in df.itertuples():
        assert text[row.start:row.end] == row.quote
