"""What each figure measures: indicator, subject, basis.

Why this order: a lexicon entry found before the figure in its clause names it canonically
(`rules/indicators.yaml`); otherwise the clause is segmented and tagged, and the trailing noun
phrase names it — widened to the verb-object phrase when what is counted is the result of an
action (淘汰落后水泥产能) or when the phrase is only a generic head (能力, 标准); a count before a
noun (支持4000多个项目) measures that noun.  Subject words (`rules/subjects.yaml`) say whom it is
about and stay out of the name.  A figure with no name of its own (比上年增长9.2%, 其中港澳台航线完成
16.22亿吨公里) inherits the indicator of the figure it follows in the same clause chain.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import regex

from . import segment
from .lexicon import Hit, Lexicon
from .prefilter import gate

# POS tags that can be part of an indicator name (nouns, verbal nouns, distinguishing words)
NOMINAL = {"n", "nz", "vn", "b", "an", "ng", "nt", "nl", "ns", "j", "l", "i", "s", "nr", "eng", "nrt", "nrfg"}
# verbs and particles that end a phrase ("完成", "达到", "为")
STOP_TAGS = {"v", "p", "c", "u", "d", "r", "m", "q", "x", "w", "uj", "ul", "ud", "ug", "uz", "uv", "y", "zg", "t"}
_SKIP_TRAILING = {"v", "p", "u", "uj", "c", "d", "x", "w", "m", "q", "f", "y", "ul", "t", "vd", "ad"}
_HEAD_WORDS = ("的", "和", "及", "与", "其中", "全年", "今年", "当年", "年初", "年末", "年底", "共", "累计", "合计",
               "总共", "分别", "实际", "已", "将", "把", "对", "从", "在", "为")
_TAIL_WORDS = ("的", "为", "达", "达到", "共", "总计", "合计", "累计", "实现", "完成", "约", "近", "超过", "超", "分别",
               "均", "都", "已", "由", "从")
_TRIM_HEAD = regex.compile(f"^(?:{'|'.join(_HEAD_WORDS)})+")
_TRIM_TAIL = regex.compile(f"(?:{'|'.join(_TAIL_WORDS)})+$")
_QUOTE_CHARS = r"“”‘’「」『』《》\"'\s\[\]【】*＊"  # removed one by one
_QUOTES = regex.compile(rf"[（(][^（）()]{{0,30}}[）)]|[{_QUOTE_CHARS}]")
#: every _QUOTES match starts with one of these characters; a text holding none is left as it is.
#: The standard engine's test costs a fraction of a `regex` sub (its \s covers `regex`'s: a test
#: checks every code point)
_QUOTES_MAY = re.compile(rf"[（({_QUOTE_CHARS}]").search
_BASIS = regex.compile(
    r"(?:比|较|同比)(上年同期|上年底|上年末|上年|去年同期|去年|上一年|\d{4}年(?:底|末)?)?"
    r"|(?:高于|低于|超过|快于|慢于)((?:全国|全省|全市|全区|全州|全县)[^，。；,;]{0,8}?(?:平均水平|平均|水平))"
)
_BASIS_MAY = gate(_BASIS)
_DIGIT = regex.compile(r"\d")
_CLAUSE_SPLIT = regex.compile(r"[，,；;：:]")
_MAX, _MIN = 12, 2
_PEOPLE_UNITS = set("人名位")
_lexicon_words_added: set[int] = set()


@dataclass
class Attribution:
    indicator: str = ""
    indicator_raw: str = ""
    subject: str = ""
    basis: str = ""
    indicator_id: str = ""


class Prior(NamedTuple):
    """A figure earlier in the same clause chain (to the last 。！？), as attribution sees it
    (a named tuple: a dozen are made per figure)."""

    attr: Attribution
    family: str
    kind: str
    same_clause: bool


@dataclass
class Site:
    """The text around one figure (normalised, Simplified)."""

    kind: str
    family: str
    unit: str
    before: str  # since the clause start or the previous figure in the clause
    after: str  # to the clause end or the next figure
    clause_before: str  # since the clause start
    sentence_before: str  # since the clause chain's start (the last 。！？)


T = TypeVar("T")
_MISSING = object()  # a memo miss (a memoised answer may itself be falsy)
_MEMO_LIMIT = 8192  # entries per memoised function (Lexicon.memo's default bound)


def _memo(fn: Callable[[str, Lexicon | None], T]) -> Callable[[str, Lexicon | None], T]:
    """Memoise fn(text, lex) in the lexicon's caches.

    Why: each figure asks about its clause again (the clause's subject, the phrase before it, its
    tags), so a clause with five figures was cleaned, tagged and searched five times.  The
    functions are pure given the lexicon, and callers never mutate what they return."""
    name = fn.__qualname__

    @functools.wraps(fn)
    def memoised(text: str, lex: Lexicon | None) -> T:
        if lex is None:
            return fn(text, lex)
        cache = lex._memos.get(name)
        if cache is None:
            cache = lex.memo(name, _MEMO_LIMIT)
        else:
            out = cache.get(text, _MISSING)
            if out is not _MISSING:
                return out  # a full cache still answers what it holds (the answers are pure)
            if len(cache) > _MEMO_LIMIT:  # the bound is checked on a miss only, before storing
                cache = lex.memo(name, _MEMO_LIMIT)  # a fresh one (the bound as Lexicon.memo keeps it)
        # the dict is fetched before fn runs: no memoised function calls itself, so fn cannot
        # replace this name's cache meanwhile (a miss used to cost a Lexicon.memo call after it)
        out = cache[text] = fn(text, lex)
        return out

    return memoised


def _remover(pat: regex.Pattern) -> Callable[[str], str]:
    """pat.sub("", text), skipped where the pattern's literal gate (prefilter) says it cannot
    match: there the removal leaves the text as it is.  Why: a figure's clause is cleaned of
    comparisons twice, and most clauses hold none of the words one needs (比, 较, 高于 ...)."""
    may, sub = gate(pat), pat.sub
    if may is None:
        return lambda text: sub("", text)
    return lambda text: sub("", text) if may(text) else text


def _searcher(pat: regex.Pattern) -> Callable[[str], regex.Match | None]:
    """pat.search(text), answered None without searching where the literal gate rules a match out."""
    may, search = gate(pat), pat.search
    if may is None:
        return search
    return lambda text: search(text) if may(text) else None


def _head_remover(pat: regex.Pattern, words: tuple[str, ...]) -> Callable[[str], str]:
    """pat.sub("", text) for pat = ^(?:w1|w2|…)+ (plain literal words, no flags), skipped unless the
    text starts with one of the words.  Why exact: without MULTILINE, ^ holds only at 0, and a
    match (one word or more) starting there starts with a word.  Most names start with none."""
    if pat.pattern != f"^(?:{'|'.join(map(regex.escape, words))})+" or pat.flags & regex.MULTILINE:
        return lambda text: pat.sub("", text)  # not the shape this reasoning covers: always search
    sub = pat.sub
    return lambda text: sub("", text) if text.startswith(words) else text


def _end_gate(pat: regex.Pattern, words: tuple[str, ...]) -> Callable[[str], bool]:
    """False only where pat = (?:w1|w2|…)<+ or nothing>$ (plain literal words, no flags) cannot match:
    without MULTILINE, $ holds at the end and before a final newline only, so a match ends with
    a word at the end, or the text ends with a newline.  A text ending otherwise needs no search."""
    alt = f"(?:{'|'.join(map(regex.escape, words))})"
    if pat.pattern not in (alt + "+$", alt + "$") or pat.flags & regex.MULTILINE or not all(words):
        return lambda text: True
    return lambda text: text.endswith(words) or text.endswith("\n")


def basis_of(before: str) -> str:
    """The comparison basis named before a change or growth: 上年, 2009年, 全省平均水平."""
    found = ""
    if _BASIS_MAY is not None and not _BASIS_MAY(before):
        return found
    for m in _BASIS.finditer(before):
        if m.group(2):
            found = m.group(2)
        elif m.group(0).startswith("同比"):
            found = "上年"
        elif m.group(1):
            g = m.group(1)
            found = "上年" if g in ("去年", "上一年") else g.replace("去年", "上年")
    return found


_trim_head = _head_remover(_TRIM_HEAD, _HEAD_WORDS)
_TRIM_TAIL_MAY = _end_gate(_TRIM_TAIL, _TAIL_WORDS)


def _trim_tail(text: str) -> str:
    """_TRIM_TAIL removed; searched only where its end gate says a match may exist."""
    return _TRIM_TAIL.sub("", text) if _TRIM_TAIL_MAY(text) else text


def prepare(lex: Lexicon) -> None:
    """Teach the segmenter the lexicon's names and subject words, once per process and lexicon.

    Called before the first tagging, so the segmenter's dictionary (~0.16 s to load) is loaded only
    when a clause needs tagging: a sentence named by the lexicon alone never pays for it."""
    if id(lex) in _lexicon_words_added:
        return
    _lexicon_words_added.add(id(lex))
    segment.add_words(lex.words())


@_memo
def clean(text: str, lex: Lexicon | None) -> str:
    """Drop quotes and modifiers (ages, per-capita frames) that are never part of a name."""
    if _QUOTES_MAY(text) is not None:
        text = _QUOTES.sub("", text)
    return lex.strip_modifiers(text) if lex is not None else text


# --------------------------------------------------------------------------- noun phrases


def _nominal_plain(tag: str) -> bool:
    """Can a word with this POS tag be part of an indicator name?"""
    t = tag.lower()
    return t in NOMINAL or (t.startswith("n") and t not in STOP_TAGS)


class _NominalTable(dict):
    """_nominal_plain's answers by tag, each computed once.  Why: it is asked ~45k times on the
    corpus about a few dozen distinct tags; a dict lookup (C, the tag's hash is cached) costs a
    fraction of the call, lower() and two set tests.  The answer depends on the tag alone."""

    def __missing__(self, tag: str) -> bool:
        out = self[tag] = _nominal_plain(tag)
        return out


#: _nominal(tag) == _nominal_plain(tag), answered from the table
_nominal: Callable[[str], bool] = _NominalTable().__getitem__


@_memo
def _tag(text: str, lex: Lexicon | None) -> list[tuple[str, str]]:
    """Segment and tag; a one-character noun suffix (率, 量, 桩) joins the word before it as a noun."""
    out: list[tuple[str, str]] = []
    nouns = lex.noun_set if lex is not None else frozenset()
    suffixes = lex.noun_suffixes if lex is not None else frozenset()  # looked up once, not per word
    if lex is not None:
        prepare(lex)  # here, not per figure: a text whose figures need no tagging never loads the segmenter
    for word, tag in segment.tag(text):
        if word in nouns:
            tag = "n"  # the dictionary may already hold it with another tag
        elif word in suffixes:
            if out and out[-1][1].lower() not in ("m", "q", "x", "w", "p", "c", "uj", "r"):
                out[-1] = (out[-1][0] + word, "n")
                continue
            tag = "n"
        out.append((word, tag))
    return out


@dataclass
class Phrase:
    """The trailing phrase of a clause part and the verbs around it."""

    name: str = ""
    lead_verb: str = ""  # the verb just before the phrase (新增 in 新增城镇污水日处理能力)
    tail_verb: str = ""  # a verb between the phrase and the figure (抽检 in 使用环节抽检超9000批次)
    verbal: bool = False  # the phrase is only verbal nouns (开发储备): the figure counts what follows


def _trailing_span(toks: list[tuple[str, str]], verbs: frozenset[str] = frozenset(),
                   light: frozenset[str] = frozenset()) -> tuple[int, int, str]:
    """Token range [i, j) of the trailing nominal phrase, and the verb skipped after it.

    An action verb tagged as a verbal noun (选派 vn) still ends the phrase when it is the last word."""
    j, tail = len(toks), ""
    if j > 1 and toks[-1][0] in verbs and toks[-1][1].lower() in ("vn", "n"):
        j, tail = j - 1, toks[-1][0]
    while j > 1 and toks[j - 1][0] in light:
        j -= 1
    while j > 0 and not _nominal(toks[j - 1][1]) and toks[j - 1][1].lower() in _SKIP_TRAILING:
        if toks[j - 1][1].lower().startswith("v"):
            tail = toks[j - 1][0] + tail if len(tail) < 4 else tail
        j -= 1
    i = j
    while i > 0:
        word, tag = toks[i - 1]
        if _nominal(tag) or (i < j and tag.lower() in ("a", "d", "b") and len(word) == 1 and word in "总新全"):
            i -= 1
        elif i < j and tag.lower() in ("a", "b") and len(word) > 1 and i - 1 > 0:
            i -= 1  # an adjective inside the phrase (危旧桥梁), never at its head
        else:
            break
    return i, j, tail


@_memo
def _trim(name: str, lex: Lexicon | None) -> str:
    name = _trim_head(name)
    name = _trim_tail(name)
    if lex is not None:
        heads = lex.light_verb_heads  # one C-level startswith rules most names out
        head = next((v for v in heads if name.startswith(v) and len(name) - len(v) >= _MIN), "") \
            if name.startswith(heads) else ""
        name = name[len(head):]  # 力争电力总装机 -> 电力总装机
        if len(name) < _MIN:
            return ""
        if lex.not_indicators_re is not None and lex.not_indicators_re.search(name):
            rest = name  # only then can the removals (longest first, in turn) shorten it
            for w in lex.not_indicators:
                rest = rest.replace(w, "")
            if len(rest) < _MIN:
                return ""
    return name


def noun_phrase(text: str, lex: Lexicon | None = None) -> str:
    """The trailing nominal phrase of a clause: '全行业完成运输总周转量' -> '运输总周转量'."""
    return _phrase(clean(text, lex), lex).name


@_memo
def _phrase(text: str, lex: Lexicon | None) -> Phrase:
    """The trailing phrase, widened when it is generic, with an action verb when one makes the count."""
    text = _trim_tail(text.strip())
    if not text:
        return Phrase()
    toks = _tag(text, lex)
    i, j, tail = _trailing_span(toks, *((lex.keep_verbs, lex.light_verbs) if lex is not None else ()))
    if lex is not None and tail in lex.light_verbs:
        tail = ""
    name = "".join(w for w, _ in toks[i:j])
    out = Phrase(name, toks[i - 1][0] if i > 0 and toks[i - 1][1].lower().startswith("v") else "", tail,
                 bool(name) and all(t.lower() == "vn" for _, t in toks[i:j]))
    if lex is None:
        out.name = _trim(name, lex)
        return out
    trimmed = _trim(name, lex)
    if not trimmed or _generic(trimmed, lex):
        out.name = _widen(toks, j, lex)
    else:
        i = _compound_start(toks, i, j, lex)
        out.name = _with_verb(toks, i, "".join(w for w, _ in toks[i:j]), lex)
    if tail and tail.endswith(lex.keep_verbs_longest) and out.name and len(out.name) + len(tail) <= _MAX:
        out.name += tail
    out.name = _trim(out.name, lex)
    return out


def _compound_start(toks: list[tuple[str, str]], i: int, j: int, lex: Lexicon) -> int:
    """A short head after a verb is one compound with it: 医养结合+服务率, 无理由退货+承诺店."""
    if sum(len(w) for w, _ in toks[i:j]) > 3 or i == 0:
        return i
    k = i
    while k > 0 and toks[k - 1][1].lower() in ("v", "vn") and toks[k - 1][0] not in lex.light_verbs \
            and toks[k - 1][0] not in lex.keep_verbs:
        k -= 1
    if k == i or k == 0 or not _nominal(toks[k - 1][1]):
        return i
    while k > 0 and _nominal(toks[k - 1][1]) and sum(len(w) for w, _ in toks[k - 1:j]) <= _MAX:
        k -= 1
    while k > 0 and toks[k - 1][1].lower() == "v" and toks[k - 1][0] not in lex.light_verbs \
            and sum(len(w) for w, _ in toks[k - 1:j]) <= _MAX and k - 2 >= 0 and _nominal(toks[k - 2][1]):
        k -= 2 if sum(len(w) for w, _ in toks[k - 2:j]) <= _MAX else 1
    return k


def _generic(name: str, lex: Lexicon) -> bool:
    return len(name) < _MIN or name in lex.generic_heads


def _widen(toks: list[tuple[str, str]], j: int, lex: Lexicon) -> str:
    """Everything left of token j up to 12 characters, stopping at punctuation or a preposition."""
    out, nominal = "", False
    for k in range(j - 1, -1, -1):
        word, tag = toks[k]
        t = tag.lower()
        if t in ("x", "w", "q", "t") or _DIGIT.search(word) or len(out) + len(word) > _MAX:
            break
        if (t in ("p", "c", "r") or word in lex.light_verbs) and out:
            break
        out, nominal = word + out, nominal or _nominal(tag)
    return out if nominal else ""


def _with_verb(toks: list[tuple[str, str]], i: int, name: str, lex: Lexicon) -> str:
    """Prefix an action verb that makes the count ("淘汰" + 落后 + "水泥产能"), skipping 的 and adjectives."""
    k, mods = i - 1, ""
    while k >= 0 and toks[k][1].lower() in ("a", "uj", "ad") and len(mods) < 4:
        mods = (toks[k][0] if toks[k][0] != "的" else "") + mods
        k -= 1
    if k >= 0 and toks[k][0] in lex.keep_verbs and len(toks[k][0]) + len(mods) + len(name) <= _MAX:
        return toks[k][0] + mods + name
    return name


def _run(toks: list[tuple[str, str]], k: int) -> int:
    while k < len(toks) and _nominal(toks[k][1]):
        k += 1
    return k


@_memo
def counted_noun(after: str, lex: Lexicon | None) -> tuple[str, str]:
    """(noun, verb phrase) a count stands before: '个项目' -> ('项目', ''); '人参保' -> ('', '参保').

    Why: in "支持4000多个项目" or "为超73万名新生儿" the figure counts the noun after it.  A relative
    clause or modifier ("资源牵头的幼儿园共同体", "副高级以上职称的医疗专家") is skipped to its head."""
    toks = _tag(clean(after, lex), lex)
    k = 0
    while k < len(toks) and toks[k][0] in ("的", "等", "以上", "以下", "左右", "多", "余", "及"):
        k += 1
    start = k
    while k + 1 < len(toks) and _nominal(toks[k + 1][1]) and (
        toks[k][1].lower() in ("a", "b") or (toks[k][1].lower() == "v" and len(toks[k][0]) == 1)
    ):
        k += 1  # an adjective or one-character verb heading a noun: 重大工程, 无电地区人口
    k = _run(toks, k)
    first_verbal = k > start and all(t.lower() == "vn" for _, t in toks[start:k])
    relative = k + 1 < len(toks) and toks[k][1].lower().startswith("v") and "的" in (toks[k + 1][0], toks[k][0])
    if k < len(toks) and (k == start or first_verbal or toks[k][1].lower() == "f" or relative):
        for m in range(k, min(len(toks), k + 7)):
            if toks[m][0] == "的":
                head = "".join(w for w, _ in toks[m + 1:_run(toks, m + 1)])
                if len(head) >= _MIN:
                    return _fit(toks[m + 1:_run(toks, m + 1)]), ""
                break
            if toks[m][1].lower() in ("x", "w"):
                break
    if k == start or first_verbal:
        # a verb first: "1334万人参保", "就业驿站"
        if k < len(toks) and toks[k][1].lower().startswith("v") and k + 1 < len(toks) and _nominal(toks[k + 1][1]):
            end = _run(toks, k + 1)
            if end == len(toks):
                return "", "".join(w for w, _ in toks[start:end])
            return _fit(toks[start:end]), ""
        if start < len(toks) and toks[start][1].lower().startswith("v"):
            end = _run(toks, start + 1)
            return "", "".join(w for w, _ in toks[start:end])
        return "", ""
    while k - 1 > start and toks[k - 1][1].lower() == "vn" and k < len(toks) and toks[k][1].lower() == "v":
        k -= 1  # 老年人 | 免费 体检: the verbal noun belongs to the verb phrase
    noun = _fit(toks[start:k])
    if lex is not None and noun and not _strip_subject(noun, lex):
        return "", "".join(w for w, _ in toks[k:_run(toks, k + 1)])  # 13亿城乡居民参保: who, then what they did
    # the noun and a short verb phrase to the clause end: "桥梁通双车道", "老年人免费体检"
    rest = toks[k:]
    if rest and rest[0][1].lower().startswith("v") and all(t.lower() not in ("x", "w", "m", "uj") for _, t in rest):
        vp = "".join(w for w, _ in rest)
        if len(noun) + len(vp) < _MAX:
            return noun + vp, ""
    return noun, ""


def _fit(toks: list[tuple[str, str]]) -> str:
    """Join tokens, dropping leading ones until the name fits in 12 characters (keep the head noun)."""
    while len(toks) > 1 and sum(len(w) for w, _ in toks) > _MAX:
        toks = toks[1:]
    return "".join(w for w, _ in toks)[-_MAX:]


# --------------------------------------------------------------------------- attribution


@_memo
def _own_subjects(text: str, lex: Lexicon) -> tuple[Hit, ...]:
    """Subject words in text, except those inside an indicator name (城镇 in 城镇新增就业)."""
    text = clean(text, None)
    hits = lex.subject_hits(text)
    if not hits:
        return hits  # the indicator search is only needed to discard hits
    names = lex.indicator_hits(text)
    return tuple(h for h in hits if not any(n.start <= h.start and h.end <= n.end for n in names))


def _subject(clause: str, lex: Lexicon, prior: list[Prior]) -> str:
    """The last own subject word of the cleaned clause (_attribute's `clause`), else the chain's."""
    hits = _own_subjects(clause, lex)
    if hits:
        return hits[-1].surface
    return prior[-1].attr.subject if prior else ""


def _strip_subject(name: str, lex: Lexicon) -> str:
    """Subject words at the head of a name are the subject, not the indicator (全国财政支出 -> 财政支出)."""
    hits = lex.subject_hits(name)
    if hits and hits[0].start == 0:
        rest = name[hits[0].end:]
        return rest if len(rest) >= _MIN else ""
    return name


def _inherit(site: Site, prior: list[Prior]) -> Prior | None:
    """The figure whose indicator a nameless one takes: a level of the same family first."""
    for p in reversed(prior):
        if p.attr.indicator and p.family == site.family and p.kind == "level":
            return p
    for p in reversed(prior):
        # across families only for a rate or bare number (增长9.2% of a level), never 亿元 from 个
        if p.attr.indicator and (site.family in ("percent", "pp", "none") or p.family == site.family):
            return p
    return None


def _suffix(unit: str, noun: str) -> str:
    """How a count is named: 项目数, 参保人数, 体检人次."""
    if unit.endswith("人次"):
        return "" if noun.endswith("人次") else "人次"
    if unit[-1:] in _PEOPLE_UNITS:
        return "数" if noun.endswith(("人", "人口")) else "人数"
    return "" if noun.endswith("数") else "数"


def _counted_name(site: Site, verb: str, lex: Lexicon) -> str:
    """'支持' + '项目' + '数' for a count before its noun; '' when nothing nominal follows."""
    if site.kind in ("rank", "change", "growth"):
        return ""
    if site.family not in ("count", "people", "none") and site.before.strip():
        return ""  # an amount counts what follows only when it opens its clause (5000多万千瓦新增燃煤发电机组)
    noun, vp = counted_noun(site.after, lex)
    if noun and not _strip_subject(noun, lex):
        noun = ""  # a subject only (13亿城乡居民参保): the verb phrase names it
    if not noun:
        if vp and vp not in lex.light_verbs:
            return (vp + _suffix(site.unit if site.family != "none" else "人", ""))[:_MAX]
        return ""
    if noun in lex.generic_heads:
        return ""
    hits = _fitting(lex.indicator_hits(noun), site)
    if hits:
        return hits[-1].indicator.name
    verb = "" if verb in lex.light_verbs else verb
    suffix = _suffix(site.unit, noun) if site.family in ("count", "people", "none") else ""
    for cand in (verb + noun + suffix, noun + suffix, verb + noun, noun):
        if len(cand) <= _MAX:
            return cand
    return noun[:_MAX]


def _fitting(hits: Iterable[Hit], site: Site) -> list[Hit]:
    """Lexicon hits whose unit families admit this figure (a growth or share fits any)."""
    return [h for h in hits if site.family in h.indicator.families or site.family in ("percent", "pp", "none")
            or site.kind in ("change", "growth", "rank")]


_COORD_WORDS = ("和", "及", "与", "以及", "、", "等")
_COORD_END = regex.compile(f"(?:{'|'.join(_COORD_WORDS)})$")
_COORD_END_MAY = _end_gate(_COORD_END, _COORD_WORDS)


def _coord_end(text: str) -> bool:
    """Does text end with a coordinating word (和, 及, 、 …)?"""
    return _COORD_END_MAY(text) and _COORD_END.search(text) is not None


_COORD_START = regex.compile(r"^(?:和|及|与|以及|、)")


def _keep_verb_of(name: str, lex: Lexicon) -> str:
    verbs = lex.keep_verbs_longest  # one C-level startswith rules most names out
    return next((v for v in verbs if name.startswith(v)), "") if name.startswith(verbs) else ""


def attribute(site: Site, lex: Lexicon, prior: list[Prior]) -> Attribution:
    """Name what one figure measures, whom it is about and (for changes) its basis.

    The table's promise: `indicator` is 2-12 characters or empty, whatever path named it."""
    out = _attribute(site, lex, prior)
    if len(out.indicator) > _MAX:
        out.indicator = out.indicator[-_MAX:]  # the head noun is at the end; indicator_raw stays as written
    elif len(out.indicator) < _MIN:
        out.indicator = out.indicator_id = ""
    return out


def _attribute(site: Site, lex: Lexicon, prior: list[Prior]) -> Attribution:
    """Lexicon first, then the noun after 的, then the text's own phrase, then the clause chain."""
    # 比上年, 高于全省平均水平: the basis, not the indicator (and 全省 is the basis's, not the subject)
    clause = _drop_comparison(clean(site.clause_before, lex))
    out = Attribution(subject=_subject(clause, lex, prior))
    if site.kind in ("change", "growth") or (site.kind == "target" and "增长" in site.before[-4:]):
        out.basis = basis_of(site.sentence_before[-30:])
    # the first figure of a clause usually has before == clause_before: its segment is the clause
    # already cleaned for the subject (the same pure functions of the same text)
    seg = clause if site.kind == "rank" or site.before == site.clause_before \
        else _drop_comparison(clean(site.before, lex))
    part = _part_of(seg)
    if part and part.start() > 0:  # "A占B的50.9%", "A不低于B的1.6倍": A is what is measured
        seg = seg[:part.start()]
    else:
        part = None
    if _from_lexicon(seg, site, lex, out, part is not None):
        return out
    after_noun = _noun_after_de(site.after, lex)
    if after_noun:
        return _named(out, after_noun, lex, site)
    return _from_text(seg, site, lex, prior, out, part is not None)


def _from_lexicon(seg: str, site: Site, lex: Lexicon, out: Attribution, part: bool) -> bool:
    """The lexicon entry nearest before the figure names it (and gives its id); False when none fits."""
    hits = _fitting(lex.indicator_hits(seg), site)
    if not hits:
        return False
    h = hits[-1]
    out.indicator, out.indicator_raw, out.indicator_id = h.indicator.name, h.surface, h.indicator.id
    share_word = _SHARE_AFTER.match(seg, h.end)
    if share_word and len(out.indicator) + len(share_word.group(1)) <= _MAX:
        # 服务业增加值比重: a share of the indicator is another indicator
        out.indicator, out.indicator_id = out.indicator + share_word.group(1), ""
    elif part:
        _share(out, site)
    return True


def _from_text(seg: str, site: Site, lex: Lexicon, prior: list[Prior], out: Attribution, part: bool) -> Attribution:
    """No lexicon entry: a counted noun, the clause's own phrase, or the chain's indicator."""
    ph = _phrase(seg, lex)
    name = _strip_subject(ph.name, lex)
    # the last prior of this clause (same[-1] of the list it replaces): found from the end, no list built
    last = next((p for p in reversed(prior) if p.same_clause), None)
    carried = _keep_verb_of(last.attr.indicator, lex) if last is not None else ""
    counted_first = (not name or _generic(name, lex) or ph.verbal or bool(ph.tail_verb)
                     or _coord_end(seg.strip()) or not seg.strip())
    if counted_first:
        verb = ph.tail_verb or (ph.name if ph.verbal else "") or (carried if _coord_end(seg.strip()) else "")
        counted = _counted_name(site, verb or ph.lead_verb, lex)
        if counted:
            return _named(out, counted, lex, site)
    src = _inherit(site, prior) if ph.verbal else None
    if src is not None:  # 其中完成13所, 启动5所: a bare action counts what the chain counts
        return _inherited(out, src, site, lex)
    if name and not _generic(name, lex):
        if carried and _COORD_START.match(site.before) and not ph.lead_verb and not _keep_verb_of(name, lex):
            name = carried + name if len(carried + name) <= _MAX else name
        return _share(_named(out, name, lex, site), site) if part else _named(out, name, lex, site)
    src = _inherit(site, prior)
    if src is not None:
        return _inherited(out, src, site, lex)
    return _from_earlier_clauses(site, lex, out, name)


def _inherited(out: Attribution, src: Prior, site: Site, lex: Lexicon) -> Attribution:
    out.indicator, out.indicator_raw, out.indicator_id = src.attr.indicator, src.attr.indicator_raw, src.attr.indicator_id
    if not _own_subjects(site.clause_before, lex):
        out.subject = src.attr.subject
    return out


_COMPARISON = regex.compile(r"(?<!占)(?:同比|比|较)(?:上年|去年|上一年|\d{4}年)[^，。；,;]{0,8}$"
                             r"|(?:高于|低于|快于|慢于|超出|领先)[^，。；,;]{0,14}$")
_drop_comparison = _remover(_COMPARISON)


def _noun_after_de(after: str, lex: Lexicon) -> str:
    """'16%的税率': a figure standing before 的 + noun describes that noun (not a verbal noun like 增长)."""
    if not after.startswith("的"):
        return ""
    toks = _tag(clean(after[1:], lex), lex)
    k = 0
    while k < len(toks) and _nominal(toks[k][1]) and toks[k][1].lower() != "vn":
        k += 1
    name = "".join(w for w, _ in toks[:k])
    rest = toks[k:]
    if name and rest and rest[0][1].lower() == "v" and all(t.lower() not in ("x", "w", "uj") for _, t in rest):
        vp = "".join(w for w, _ in rest)  # 80%的中小学纳入教联体: the share of schools that did it
        name = name + vp if len(name) + len(vp) <= _MAX else name
    name = _strip_subject(name, lex)
    return name if _MIN <= len(name) <= _MAX and not _generic(name, lex) else ""


_PART_OF = regex.compile(r"(?:占|相当于|不低于|不高于|高于|低于|超过)[^，。；,;]{1,20}的$")
_part_of = _searcher(_PART_OF)
_SHARE_NAMES = ("占比", "比重", "比例", "率", "份额")
_SHARE_AFTER = regex.compile(r"(?:的|所占)?(比重|占比|比例|份额)")


def _share(out: Attribution, site: Site) -> Attribution:
    """A share is its own indicator: 货邮吞吐量 -> 货邮吞吐量占比 (no lexicon id unless it is one)."""
    if site.kind == "share" and not out.indicator.endswith(_SHARE_NAMES) and len(out.indicator) + 2 <= _MAX:
        out.indicator = out.indicator + "占比"
        out.indicator_id = ""
    return out


def _named(out: Attribution, name: str, lex: Lexicon, site: Site | None = None) -> Attribution:
    """A name found in the text; its lexicon id when the name is a canonical name of a fitting family."""
    out.indicator = out.indicator_raw = name
    ind = lex.by_name.get(name)
    fits = ind is not None and (site is None or _fitting([Hit(0, 0, name, ind)], site))
    out.indicator_id = ind.id if fits else ""
    return out


def _from_earlier_clauses(site: Site, lex: Lexicon, out: Attribution, fallback: str) -> Attribution:
    """No figure before it in the sentence: the phrase of an earlier clause of the sentence names it."""
    earlier = site.sentence_before[: len(site.sentence_before) - len(site.clause_before)]
    earlier = clean(earlier, lex)
    hits = _fitting(lex.indicator_hits(earlier), site)
    if hits:
        h = hits[-1]
        out.indicator, out.indicator_raw, out.indicator_id = h.indicator.name, h.surface, h.indicator.id
        return out
    for part in reversed([p for p in _CLAUSE_SPLIT.split(earlier) if p.strip()]):
        name = _strip_subject(_phrase(part, lex).name, lex)
        if name and not _generic(name, lex):
            return _named(out, name, lex, site)
        break
    out.indicator = out.indicator_raw = fallback
    return out
