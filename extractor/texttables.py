"""Figures in plain-text tables, as statistical communiqués print them:

    表1  2015年旅客吞吐量100万人次以上的机场数量
    单位：个
    年旅客吞吐量 机场数量 比上年增加 吞吐量占全国比例
    1000万人次以上 26 2 77.9%

A bare number in such a row is a figure: its unit comes from the 单位 line, and its column
header is the context its kind is read from (比上年增加 -> change, 占全国比例 -> share).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from .normalise import UNIT_LINE, table_blocks
from .numbers import parse_number
from .rules import Rules
from .scan import Candidate, _unit_of

_CELL = regex.compile(r"\S+")
_BARE = regex.compile(r"^\d+(?:\.\d+)?$")


@dataclass
class TableCell:
    start: int
    end: int
    header: str
    unit: str


def table_cells(text: str) -> list[TableCell]:
    """Cells of the tables that follow a 单位 line (normalise.table_blocks), with their headers."""
    out: list[TableCell] = []
    if "单位" not in text:
        return out
    for block_start, block_end in table_blocks(text):
        m = UNIT_LINE.search(text, block_start, block_end)
        if m is None:
            continue
        lines = text[m.end() + 1:block_end].split("\n")
        base = m.end() + 1
        headers = _CELL.findall(lines[0])
        pos = base + len(lines[0]) + 1
        for line in lines[1:]:
            cells = list(_CELL.finditer(line))
            if len(cells) == len(headers):
                for cell, header in zip(cells[1:], headers[1:], strict=True):
                    out.append(TableCell(pos + cell.start(), pos + cell.end(), header, m.group("unit")))
            pos += len(line) + 1
    return out


def table_candidates(text: str, rules: Rules) -> tuple[list[Candidate], dict[int, str]]:
    """Candidates for bare numeric cells (unit from the 单位 line), and for every cell start the
    column header, so that the kind of any figure in a cell is read from its header."""
    cands: list[Candidate] = []
    headers: dict[int, str] = {}
    for cell in table_cells(text):
        headers[cell.start] = cell.header
        s = text[cell.start:cell.end]
        if not _BARE.match(s):
            continue
        try:
            value = parse_number(s)
        except (InvalidOperation, ValueError):
            continue
        u = _unit_of(rules, cell.unit)
        if u is not None and u.family == "time":
            continue
        c = Candidate(cell.start, cell.end, s, value, None, cell.unit, u, "exact", False,
                      kind_hint="table", rule_hint="table.unit_line")
        c.value = Decimal(value)
        cands.append(c)
    return cands, headers
