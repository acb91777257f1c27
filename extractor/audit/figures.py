"""The audit's view of a document: its figures in reading order, each with an interval, the words
before it (its label) and the clause chain it stands in.

Why not group on the extracted indicator alone: attribution is imperfect and changes; the text
itself says which figures belong together (same chain, same unit, 其中, 国内/国际).  So a figure's
label is read from the document text around its own offsets, never from a guess about it.
"""

from __future__ import annotations

import bisect
import math
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pandas as pd
import regex

from ..numbers import CN_BIG, CN_DIGITS, CN_SMALL, decimals_of, parse_number
from .config import AuditConfig
from .interval import INF, ZERO, Interval

#: A clause ends at these; a label never reaches back across one.
CLAUSE_SEPS = "，,；;。：:！？!?（()）、"
#: A chain (the figures of one statement: level, change, growth) ends at these.
CHAIN_SEPS = "。；;！？!?"
_NOISE = regex.compile(r"\s+|\[\d+\]")


@dataclass
class Fig:
    """One row of the indicator table, as the checks need it."""

    start: int
    end: int
    quote: str
    kind: str
    direction: str
    unit: str  # unit_norm
    indicator: str
    subject: str
    period: str
    basis: str
    qualifier: str
    iv: Interval
    label: str = ""  # the words of its clause before it, whitespace and footnote marks removed
    chain: int = 0  # index of its clause chain in the document
    row: dict = field(default_factory=dict, repr=False)  # the table row, for derived figures

    @property
    def span(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def exact(self) -> bool:
        return self.qualifier in ("", "exact")

    @property
    def value(self) -> Decimal:
        return self.iv.point


def _str(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _dec(v) -> Decimal | None:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return None
    return Decimal(repr(float(v)))


def half_unit(number_text: str) -> Decimal:
    """Half a unit of the last printed digit, in the unit written: 25.78 -> 0.005, 10.7万 -> 500."""
    s = unicodedata.normalize("NFKC", number_text or "").replace(" ", "").replace("萬", "万").replace("億", "亿")
    if s.startswith("百分之"):
        s = s[3:]
    if not s[:1].isdigit():
        return _half_unit_chinese(s)
    tail = s[len(s.rstrip("".join(CN_BIG) + "".join(CN_SMALL))):]
    scale = Decimal(1)
    for c in tail:
        scale *= CN_BIG.get(c) or CN_SMALL[c]
    return Decimal("0.5").scaleb(-decimals_of(s)) * scale


def _half_unit_chinese(s: str) -> Decimal:
    """Chinese numerals: 四点九 -> 0.05; 九百八十三亿 -> 0.5亿 (the place of the last digit written);
    二千零五十亿 -> 5亿; 十七 -> 0.5."""
    if "点" in s:
        return Decimal("0.5").scaleb(-sum(1 for c in s.split("点", 1)[1] if c in CN_DIGITS))
    last = max((i for i, c in enumerate(s) if c in CN_DIGITS), default=-1)
    scale = Decimal(1)
    for c in s[last + 1:]:
        if c in CN_SMALL or c in CN_BIG:
            scale *= CN_BIG.get(c) or CN_SMALL[c]
    return Decimal("0.5") * scale


def figure_interval(row: dict, cfg: AuditConfig) -> Interval | None:
    """The values the printed figure allows, in its normalised unit (None when it has no value)."""
    value, mult = _dec(row.get("value")), _dec(row.get("multiplier")) or Decimal(1)
    if value is None:
        return None
    try:
        point = parse_number(unicodedata.normalize("NFKC", _str(row.get("number_text"))))
        if abs(point - value) > abs(value) * Decimal("1e-9") + Decimal("1e-9"):
            point = value
    except (InvalidOperation, KeyError, ValueError, IndexError):
        point = value
    high = _dec(row.get("value_high"))
    h = half_unit(_str(row.get("number_text")))
    lo, hi = (point - h) * mult, ((high if high is not None else point) + h) * mult
    lo = max(lo, ZERO) if point >= 0 else lo
    return _qualify(Interval(lo, hi, point * mult), _str(row.get("qualifier")), cfg)


def _qualify(iv: Interval, qualifier: str, cfg: AuditConfig) -> Interval:
    """Widen for 余/以上 (no top), 近/不足 (below), 约/左右 (both ways) as rules/audit.yaml says."""
    if qualifier in ("over", "at_least"):
        return Interval(iv.lo, INF, iv.point)
    if qualifier == "under":
        return Interval(iv.point * (1 - cfg.widths["under"]), iv.hi, iv.point)
    if qualifier == "approx":
        w = cfg.widths["approx"]
        return Interval(iv.point * (1 - w), iv.point * (1 + w), iv.point)
    return iv


def clean(s: str) -> str:
    """Text for matching words: no whitespace (line wraps), no footnote marks, Simplified as stored."""
    return _NOISE.sub("", s)


def label_before(text: str, start: int, floor: int) -> str:
    """The words of the clause before a figure, not reaching back past `floor` (the previous figure)."""
    lo = max(floor, start - 80, 0)
    seg = text[lo:start]
    seg = seg[max(seg.rfind(c) for c in CLAUSE_SEPS) + 1:]
    lines = seg.split("\n")
    for i in range(len(lines) - 1, 0, -1):
        if regex.search(r"\S[ \t\u3000]+\S", lines[i - 1]):
            seg = "\n".join(lines[i:])  # the line before is a table row or header, not a wrapped clause
            break
    return clean(seg)


def chain_ids(text: str, starts: list[int]) -> list[int]:
    """For each figure start (sorted), the index of its chain: chains are split at 。；！？."""
    out, chain, pos = [], 0, 0
    for s in starts:
        seg = text[pos:s]
        chain += sum(seg.count(c) for c in CHAIN_SEPS)
        out.append(chain)
        pos = s
    return out


def build_figures(rows: pd.DataFrame, text: str, cfg: AuditConfig) -> list[Fig]:
    """Rows of one document (any order) -> figures in reading order with labels and chains."""
    figs: list[Fig] = []
    for r in rows.sort_values(["start", "end"]).to_dict("records"):
        iv = figure_interval(r, cfg)
        if iv is None:
            continue
        figs.append(Fig(int(r["start"]), int(r["end"]), _str(r.get("quote")), _str(r.get("kind")),
                        _str(r.get("direction")), _str(r.get("unit_norm")), _str(r.get("indicator")),
                        _str(r.get("subject")), _str(r.get("period")), _str(r.get("basis")),
                        _str(r.get("qualifier")) or "exact", iv, row=r))
    prev_end = 0
    for f in figs:
        f.label = label_before(text, f.start, prev_end)
        prev_end = f.end
    for f, c in zip(figs, chain_ids(text, [f.start for f in figs]), strict=True):
        f.chain = c
    return figs


def between(text: str, a: Fig, b: Fig) -> str:
    """The text between two figures (a before b), cleaned."""
    return clean(text[a.end:b.start])


def similar(a: str, b: str) -> bool:
    """Two indicator names that may name the same thing: equal, or half the characters shared."""
    if not a or not b:
        return True
    if a == b or a in b or b in a:
        return True
    sa, sb = set(a), set(b)
    return len(sa & sb) * 2 >= min(len(sa), len(sb)) + 1


@dataclass
class DocView:
    """One document as the checks see it: its text, figures, the rules, and derived figures found."""

    doc_id: str
    text: str
    figs: list[Fig]
    cfg: AuditConfig
    derived: list[dict] = field(default_factory=list)

    def chain_at(self, at: int) -> int:
        """The chain index of a text offset (figures use the same numbering)."""
        if "_seps" not in self.__dict__:
            self.__dict__["_seps"] = [i for i, c in enumerate(self.text) if c in CHAIN_SEPS]
        return bisect.bisect_left(self.__dict__["_seps"], at)

    def chains(self) -> list[list[Fig]]:
        out: dict[int, list[Fig]] = {}
        for f in self.figs:
            out.setdefault(f.chain, []).append(f)
        return list(out.values())
