"""What each figure measures: indicator, subject, period, basis.

The clause before a figure is segmented and tagged; the trailing noun phrase (after the last
verb) names the indicator, subject words from `rules/subjects.yaml` name who it is about, and a
change or growth with no noun phrase of its own inherits from the level it follows in the same
clause chain ("教育经费247276万元,比上年增加50676万元,增长25.78%": all three measure 教育经费).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from . import segment

# POS tags that can be part of an indicator name (nouns, verbal nouns, distinguishing words)
NOMINAL = {"n", "nz", "vn", "b", "an", "ng", "nt", "nl", "ns", "j", "l", "i", "s", "f", "nr", "eng"}
# verbs and particles that end a phrase ("完成", "达到", "为")
STOP_TAGS = {"v", "p", "c", "u", "d", "r", "m", "q", "x", "w", "uj", "ul", "ud", "ug", "uz", "uv", "y", "zg", "t"}
_TRIM_HEAD = regex.compile(r"^(?:的|和|及|与|其中|全年|今年|当年|年初|年末|年底|共|累计|合计|总共|分别|实际|已)+")
_TRIM_TAIL = regex.compile(r"(?:的|为|达|达到|共|总计|合计|累计|实现|完成|约|近|超过)+$")
_BASIS = regex.compile(
    r"(?:比|较|同比)(上年同期|上年底|上年末|上年|去年同期|去年|上一年|\d{4}年(?:底|末)?)?"
    r"|(?:高于|低于|超过|快于|慢于)((?:全国|全省|全市|全区|全州|全县)[^，。；,;]{0,8}?(?:平均水平|平均|水平))"
)


@dataclass
class Attribution:
    indicator: str = ""
    indicator_raw: str = ""
    subject: str = ""
    basis: str = ""


def basis_of(before: str) -> str:
    """The comparison basis named before a change or growth: 上年, 2009年, 全省平均水平."""
    found = ""
    for m in _BASIS.finditer(before):
        if m.group(2):
            found = m.group(2)
        elif m.group(0).startswith("同比"):
            found = "上年"
        elif m.group(1):
            g = m.group(1)
            found = "上年" if g in ("去年", "上一年") else g.replace("去年", "上年")
    return found


def noun_phrase(text: str) -> str:
    """The trailing nominal phrase of a clause: '全行业完成运输总周转量' -> '运输总周转量'."""
    text = _TRIM_TAIL.sub("", text.strip())
    if not text:
        return ""
    toks = segment.tag(text)
    phrase: list[str] = []
    for word, tag in reversed(toks):
        t = tag.lower()
        if t in NOMINAL or (t.startswith("n") and t not in STOP_TAGS):
            phrase.append(word)
        elif phrase and t in ("a", "d") and len(word) == 1 and word in "总新全":
            phrase.append(word)
        elif phrase:
            break
        elif t in ("v", "p", "u", "uj", "c", "d", "x", "w", "m", "q"):
            # nothing nominal yet: skip trailing verbs like 完成/达到/增长
            continue
        else:
            break
    name = "".join(reversed(phrase))
    name = _TRIM_HEAD.sub("", name)
    return name[-12:] if len(name) > 12 else name
