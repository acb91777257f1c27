"""Exact number parsing: Arabic, Chinese numerals and their mixes, to Decimal.

Why Decimal: 247276万元 must be exactly 2472760000 元, and the audit compares printed precision
(25.78 stands for [25.775, 25.785)); floats would blur both.  Floats appear only in the table.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
             "陆": 6, "柒": 7, "捌": 8, "玖": 9, "幺": 1}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG) + "点"


def parse_arabic(s: str) -> Decimal:
    """'1,234.5' -> Decimal('1234.5'); '1/7' -> exact-enough quotient."""
    s = s.replace(",", "").replace(" ", "").replace("\u00a0", "")
    if "/" in s:
        num, den = s.split("/", 1)
        return Decimal(num) / Decimal(den)
    return Decimal(s)


def parse_chinese(s: str) -> Decimal:
    """Chinese numerals, including bare scales and decimals: 十一 -> 11, 两 -> 2, 千 -> 1000,
    三千五百万 -> 35000000, 一点五 -> 1.5, 二〇一二 -> 2012 (digit by digit)."""
    if not s:
        raise InvalidOperation(s)
    if "点" in s:
        whole, frac = s.split("点", 1)
        w = parse_chinese(whole) if whole else Decimal(0)
        digits = "".join(str(CN_DIGITS[c]) for c in frac if c in CN_DIGITS)
        return w + (Decimal("0." + digits) if digits else Decimal(0))
    if all(c in CN_DIGITS for c in s) and len(s) > 1:
        return Decimal("".join(str(CN_DIGITS[c]) for c in s))
    total = 0  # completed 亿 / 万 sections
    section = 0  # current section below 万
    digit = None
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[c]
            digit = None
        elif c in CN_BIG:
            big = CN_BIG[c]
            section += digit or 0
            digit = None
            if section == 0 and total == 0:
                section = 1  # a bare scale: 万余册, 超万亿斤
            if big == 10**8:
                total = (total + section) * big
            else:
                total += section * big
            section = 0
        else:
            raise InvalidOperation(s)
    return Decimal(total + section + (digit or 0))


def parse_number(s: str) -> Decimal:
    """Any number text: Arabic, Chinese, or Arabic followed by a Chinese scale (10.7万)."""
    s = s.strip()
    if not s:
        raise InvalidOperation(s)
    if s.startswith("百分之"):
        return parse_number(s[3:])
    if s == "百分百":
        return Decimal(100)
    if s[0].isdigit():
        head = s.rstrip("".join(CN_BIG) + "".join(CN_SMALL))
        tail = s[len(head):]
        value = parse_arabic(head)
        for c in tail:
            value *= CN_BIG.get(c) or CN_SMALL[c]
        return value
    return parse_chinese(s)


def decimals_of(number_text: str) -> int:
    """Digits after the decimal point as printed: the precision the audit must respect."""
    s = number_text.replace(",", "")
    if "." in s and s.split(".", 1)[0].replace(" ", "").isdigit():
        return len(s.split(".", 1)[1].rstrip("万亿千百十"))
    return 0
