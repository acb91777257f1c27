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

from dataclasses import dataclass

import regex

from . import segment
from .lexicon import Lexicon

# POS tags that can be part of an indicator name (nouns, verbal nouns, distinguishing words)
NOMINAL = {"n", "nz", "vn", "b", "an", "ng", "nt", "nl", "ns", "j", "l", "i", "s", "nr", "eng", "nrt", "nrfg"}
# verbs and particles that end a phrase ("完成", "达到", "为")
STOP_TAGS = {"v", "p", "c", "u", "d", "r", "m", "q", "x", "w", "uj", "ul", "ud", "ug", "uz", "uv", "y", "zg", "t"}
_SKIP_TRAILING = {"v", "p", "u", "uj", "c", "d", "x", "w", "m", "q", "f", "y", "ul", "t", "vd", "ad"}
_TRIM_HEAD = regex.compile(r"^(?:的|和|及|与|其中|全年|今年|当年|年初|年末|年底|共|累计|合计|总共|分别|实际|已|将|把|对|从|在|为)+")
_TRIM_TAIL = regex.compile(r"(?:的|为|达|达到|共|总计|合计|累计|实现|完成|约|近|超过|超|分别|均|都|已|由|从)+$")
_QUOTES = regex.compile(r"[“”‘’「」『』《》\"'（）()\s\[\]【】]")
_BASIS = regex.compile(
    r"(?:比|较|同比)(上年同期|上年底|上年末|上年|去年同期|去年|上一年|\d{4}年(?:底|末)?)?"
    r"|(?:高于|低于|超过|快于|慢于)((?:全国|全省|全市|全区|全州|全县)[^，。；,;]{0,8}?(?:平均水平|平均|水平))"
)
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


@dataclass
class Prior:
    """A figure earlier in the same sentence, as attribution sees it."""

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
    sentence_before: str  # since the sentence start


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


def prepare(lex: Lexicon) -> None:
    """Teach the segmenter the lexicon's names and subject words, once per process and lexicon."""
    if id(lex) in _lexicon_words_added:
        return
    _lexicon_words_added.add(id(lex))
    segment.add_words(lex.words())


def clean(text: str, lex: Lexicon | None) -> str:
    """Drop quotes and modifiers (ages, per-capita frames) that are never part of a name."""
    text = _QUOTES.sub("", text)
    for pat in lex.modifiers if lex else ():
        text = pat.sub("", text)
    return text


# --------------------------------------------------------------------------- noun phrases


def _nominal(tag: str) -> bool:
    t = tag.lower()
    return t in NOMINAL or (t.startswith("n") and t not in STOP_TAGS)


def _trailing_span(toks: list[tuple[str, str]]) -> tuple[int, int]:
    """Token range [i, j) of the trailing nominal phrase (trailing verbs and particles skipped)."""
    j = len(toks)
    while j > 0 and not _nominal(toks[j - 1][1]) and toks[j - 1][1].lower() in _SKIP_TRAILING:
        j -= 1
    i = j
    while i > 0:
        word, tag = toks[i - 1]
        if _nominal(tag) or (i < j and tag.lower() in ("a", "d", "b") and len(word) == 1 and word in "总新全"):
            i -= 1
        else:
            break
    return i, j


def _trim(name: str, lex: Lexicon | None) -> str:
    name = _TRIM_HEAD.sub("", name)
    name = _TRIM_TAIL.sub("", name)
    if lex is not None:
        rest = name
        for w in lex.not_indicators:
            rest = rest.replace(w, "")
        if len(rest) < _MIN:
            return ""
    return name


def noun_phrase(text: str, lex: Lexicon | None = None) -> str:
    """The trailing nominal phrase of a clause: '全行业完成运输总周转量' -> '运输总周转量'."""
    return _phrase(clean(text, lex), lex)[0]


def _phrase(text: str, lex: Lexicon | None) -> tuple[str, str]:
    """(name, verb before it): the trailing phrase, widened when it is generic or counted by a verb."""
    text = _TRIM_TAIL.sub("", text.strip())
    if not text:
        return "", ""
    toks = segment.tag(text)
    i, j = _trailing_span(toks)
    name = "".join(w for w, _ in toks[i:j])
    verb = toks[i - 1][0] if i > 0 and toks[i - 1][1].lower().startswith("v") else ""
    if lex is not None and _trim(name, lex) and _generic(_trim(name, lex), lex):
        name = _widen(toks, j)
        verb = ""
    elif lex is not None and name:
        name, verb = _with_verb(toks, i, name, lex)
    return _trim(name, lex), verb


def _generic(name: str, lex: Lexicon) -> bool:
    return len(name) < _MIN or name in lex.generic_heads


def _widen(toks: list[tuple[str, str]], j: int) -> str:
    """Everything left of token j up to 12 characters, stopping at punctuation or a preposition."""
    out = ""
    for k in range(j - 1, -1, -1):
        word, tag = toks[k]
        t = tag.lower()
        if t in ("x", "w") or len(out) + len(word) > _MAX:
            break
        if t in ("p", "c", "r") and out:
            break
        out = word + out
    return out


def _with_verb(toks: list[tuple[str, str]], i: int, name: str, lex: Lexicon) -> tuple[str, str]:
    """Prefix an action verb that makes the count ("淘汰" + 落后 + "水泥产能"), skipping 的 and adjectives."""
    k, mods = i - 1, ""
    while k >= 0 and toks[k][1].lower() in ("a", "uj", "ad") and len(mods) < 4:
        mods = (toks[k][0] if toks[k][0] != "的" else "") + mods
        k -= 1
    if k >= 0 and toks[k][0] in lex.keep_verbs and len(toks[k][0]) + len(mods) + len(name) <= _MAX:
        return toks[k][0] + mods + name, toks[k][0]
    verb = toks[i - 1][0] if i > 0 and toks[i - 1][1].lower().startswith("v") else ""
    return name, verb


def counted_noun(after: str, lex: Lexicon | None) -> str:
    """The noun a count stands before: '个自然村生活污水治理问题' -> '自然村生活污水治理问题'.

    Why: in "支持4000多个项目" or "为超73万名新生儿" the figure counts the noun after it.  A relative
    clause ("资源牵头的幼儿园共同体") is skipped to its head noun."""
    toks = segment.tag(clean(after, lex))
    k = 0
    while k < len(toks) and toks[k][1].lower() in ("uj", "u", "f", "m", "q") and toks[k][0] in "的等以上以下左右多余":
        k += 1
    start = k
    while k < len(toks) and _nominal(toks[k][1]):
        k += 1
    first = "".join(w for w, _ in toks[start:k])
    # relative clause: noun + verb ... 的 + head noun
    for m in range(k, min(len(toks), k + 4)):
        if toks[m][0] == "的" and m > k:
            n = m + 1
            while n < len(toks) and _nominal(toks[n][1]):
                n += 1
            head = "".join(w for w, _ in toks[m + 1:n])
            if len(head) >= _MIN and k < len(toks) and toks[k][1].lower().startswith("v"):
                return head[:_MAX]
            break
    return first[:_MAX]


# --------------------------------------------------------------------------- attribution


def _subject(site: Site, lex: Lexicon, prior: list[Prior]) -> str:
    hits = lex.subjects_in(clean(site.clause_before, None))
    if hits:
        return hits[-1].surface
    return prior[-1].attr.subject if prior else ""


def _strip_subject(name: str, lex: Lexicon) -> str:
    """Subject words at the head of a name are the subject, not the indicator (全国财政支出 -> 财政支出)."""
    hits = lex.subjects_in(name)
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
        if p.attr.indicator:
            return p
    return None


def _counted_name(site: Site, verb: str, lex: Lexicon) -> str:
    """'支持' + '项目' + '数' for a count before its noun; '' when nothing nominal follows."""
    if site.family not in ("count", "people"):
        return ""
    noun = counted_noun(site.after, lex)
    noun = _strip_subject(noun, lex)
    if len(noun) < _MIN or noun in lex.generic_heads:
        return ""
    hit = [h for h in lex.indicators_in(noun)]
    if hit:
        return hit[-1].indicator.name
    suffix = "数" if site.unit not in _PEOPLE_UNITS or noun.endswith(("人", "者", "员")) else "人数"
    name = (verb if verb in lex.keep_verbs else "") + noun
    for cand in (name + suffix, noun + suffix, name, noun):
        if len(cand) <= _MAX:
            return cand
    return noun[:_MAX]


def attribute(site: Site, lex: Lexicon, prior: list[Prior]) -> Attribution:
    """Name what one figure measures, whom it is about and (for changes) its basis."""
    prepare(lex)
    out = Attribution(subject=_subject(site, lex, prior))
    if site.kind in ("change", "growth") or (site.kind == "target" and "增长" in site.before[-4:]):
        out.basis = basis_of(site.sentence_before[-30:])
    seg = clean(site.before if site.kind != "rank" else site.clause_before, lex)
    hits = lex.indicators_in(seg)
    if hits:
        h = hits[-1]
        out.indicator, out.indicator_raw, out.indicator_id = h.indicator.name, h.surface, h.indicator.id
        return out
    name, verb = _phrase(seg, lex)
    name = _strip_subject(name, lex)
    if not name or _generic(name, lex):
        counted = _counted_name(site, verb, lex) if site.kind != "rank" else ""
        if counted:
            out.indicator = out.indicator_raw = counted
            _set_id(out, lex)
            return out
    elif verb and site.family in ("count", "people") and site.before.rstrip().endswith(verb):
        counted = _counted_name(site, verb, lex)
        if counted:
            out.indicator = out.indicator_raw = counted
            _set_id(out, lex)
            return out
    if name and not _generic(name, lex):
        out.indicator = out.indicator_raw = name
        return out
    src = _inherit(site, prior)
    if src is not None:
        out.indicator, out.indicator_raw, out.indicator_id = src.attr.indicator, src.attr.indicator_raw, src.attr.indicator_id
        if not lex.subjects_in(clean(site.clause_before, None)):
            out.subject = src.attr.subject
        return out
    return _from_earlier_clauses(site, lex, out, name)


def _set_id(out: Attribution, lex: Lexicon) -> None:
    for ind in lex.indicators:
        if ind.name == out.indicator:
            out.indicator_id = ind.id


def _from_earlier_clauses(site: Site, lex: Lexicon, out: Attribution, fallback: str) -> Attribution:
    """No figure before it in the sentence: the phrase of an earlier clause of the sentence names it."""
    earlier = site.sentence_before[: len(site.sentence_before) - len(site.clause_before)]
    earlier = clean(earlier, lex)
    hits = lex.indicators_in(earlier)
    if hits:
        h = hits[-1]
        out.indicator, out.indicator_raw, out.indicator_id = h.indicator.name, h.surface, h.indicator.id
        return out
    for part in reversed([p for p in regex.split(r"[，,；;：:]", earlier) if p.strip()]):
        name = _strip_subject(_phrase(part, lex)[0], lex)
        if name and not _generic(name, lex):
            out.indicator = out.indicator_raw = name
            return out
        break
    out.indicator = out.indicator_raw = fallback
    return out
