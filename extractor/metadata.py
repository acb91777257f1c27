"""Document metadata: year, place, kind and title of each report.

Why: a panel needs to know which place and year a report speaks for, and a report's period
words (去年, 今年) mean nothing without its year and kind.  Sources, best first, field by field:
a manifest (TSV/CSV with a `file` column) or a YAML sidecar `<file>.yaml`; the file name
(gwr_2012, guangdong_gwr_2025, caac_communique_2015); the title lines of the text.  Place names
and kind words are data (rules/places.yaml, rules/periods.yaml).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from .errors import RulesError, SourceError
from .periods import PeriodRules, period_rules
from .pipeline import DocMeta
from .rules import EXTRA_LOADERS, _load_yaml

PLACES_FILE = "places.yaml"
#: The environment variable the CLI sets for --manifest, so worker processes see it too.
MANIFEST_ENV = "ZHIBIAO_MANIFEST"
_TOKEN = regex.compile(r"[A-Za-z]+|\d+")
_TITLE_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年?")
_TITLE_LINES = 6
_TITLE_CHARS = 60


@dataclass(frozen=True)
class Place:
    name: str
    short: str
    pinyin: tuple[str, ...]
    aliases: tuple[str, ...]
    national: bool = False


def load_places(directory: Path, problems: list[str]) -> tuple[Place, ...] | None:
    """Read and validate rules/places.yaml."""
    raw = _load_yaml(Path(directory) / PLACES_FILE, problems)
    if raw is None:
        return None
    out = []
    entries = raw.get("places") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        problems.append(f"{PLACES_FILE}: expected a list under places")
        return None
    for i, e in enumerate(entries):
        where = f"{PLACES_FILE}: places[{i}]"
        if not isinstance(e, dict) or not e.get("name"):
            problems.append(f"{where}: needs a name")
            continue
        unknown = set(e) - {"name", "short", "pinyin", "aliases", "national", "note"}
        if unknown:
            problems.append(f"{where} ({e['name']}): unknown key(s) {', '.join(sorted(unknown))}")
            continue
        out.append(Place(str(e["name"]), str(e.get("short") or e["name"]),
                         tuple(str(p).lower() for p in e.get("pinyin") or []),
                         tuple(str(a) for a in e.get("aliases") or []), bool(e.get("national"))))
    return tuple(out)


EXTRA_LOADERS["places"] = load_places


@lru_cache(maxsize=8)
def _places_direct(directory: str) -> tuple[Place, ...]:
    problems: list[str] = []
    places = load_places(Path(directory), problems)
    if problems or places is None:
        raise RulesError(problems or [f"{directory}/{PLACES_FILE}: could not be read"])
    return places


def places_of(rules) -> tuple[Place, ...]:
    got = rules.extra.get("places") if getattr(rules, "extra", None) else None
    return got if got is not None else _places_direct(str(rules.directory))


# --------------------------------------------------------------------------- manifests


def load_manifest(path: str | Path) -> dict[str, dict]:
    """A manifest: file name (and stem) -> its row.  TSV or CSV with a `file` column."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"manifest cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    lines = raw.splitlines()
    if not lines:
        raise SourceError(str(path), "manifest is empty")
    delim = "\t" if "\t" in lines[0] else ","
    reader = csv.DictReader(lines, delimiter=delim)
    cols = {c.strip().lower() for c in reader.fieldnames or []}
    if "file" not in cols:
        raise SourceError(str(path), f"manifest needs a 'file' column (has: {', '.join(sorted(cols))})")
    out: dict[str, dict] = {}
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        name = Path(row.get("file", "")).name
        if name:
            out[name] = row
            out.setdefault(Path(name).stem, row)
    return out


@lru_cache(maxsize=4)
def _env_manifest(path: str) -> dict[str, dict]:
    return load_manifest(path)


def default_manifest() -> dict[str, dict] | None:
    """The manifest named by $ZHIBIAO_MANIFEST (set by `zhibiao extract --manifest`), if any."""
    env = os.environ.get(MANIFEST_ENV)
    return _env_manifest(env) if env else None


def _sidecar(path: Path) -> dict:
    side = path.with_name(path.name + ".yaml")
    if not side.is_file():
        side = path.with_suffix(".yaml") if path.suffix != ".yaml" else side
    if not side.is_file():
        return {}
    import yaml  # here: most documents have no sidecar, and a cold start need not import it

    try:
        data = yaml.safe_load(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(str(side), f"metadata sidecar is not valid YAML ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(data, dict):
        raise SourceError(str(side), "metadata sidecar must be a mapping (year:, place:, kind:, title:)")
    return {str(k).lower(): v for k, v in data.items()}


# --------------------------------------------------------------------------- inference


def _year(value) -> int | None:
    try:
        y = int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None
    return y if 1900 <= y <= 2199 else None


def place_name(value: str, places: tuple[Place, ...]) -> str:
    """A manifest's or sidecar's place ('安徽省 (Anhui)', 'China (State Council)') -> its canonical name."""
    value = str(value or "").strip()
    if not value:
        return ""
    head = regex.split(r"\s*[(（;；,]", value)[0].strip()
    for p in places:
        if head in (p.name, p.short) or head in p.aliases:
            return p.name
    for p in places:
        if any(a in value for a in p.aliases if len(a) > 1) or p.name in value:
            return p.name
    return head or value


def doc_kind_name(value: str, pr: PeriodRules) -> str:
    v = str(value or "").strip()
    for k in pr.kinds:
        if v.lower() in k.manifest or v == k.name:
            return k.name
    for k in pr.kinds:
        if k.title is not None and k.title.search(v):
            return k.name
    return v


def from_file_name(name: str, places: tuple[Place, ...], pr: PeriodRules) -> dict:
    """gwr_2012 -> year 2012, kind 政府工作报告; guangdong_gwr_2025 -> place 广东省 as well."""
    stem = Path(name).stem.lower()
    tokens = _TOKEN.findall(stem)
    out: dict = {}
    for t in tokens:
        if t.isdigit() and "year" not in out and _year(t) and len(t) == 4:
            out["year"] = int(t)
    joined = stem.replace("_", "")
    for p in places:
        if any(t in p.pinyin for t in tokens) or any(w in joined for w in p.pinyin if len(w) > 5):
            out["place"] = p.name
            break
    for k in pr.kinds:
        if any(t in k.file_words for t in tokens) or any(w in stem for w in k.file_words if "_" in w):
            out["kind"] = k.name
            break
    return out


def title_lines(text: str) -> list[str]:
    """The first few non-empty lines, each Simplified on its own (titles, the date line, the speaker)."""
    from .normalise import normalise_text

    lines = [line.strip() for line in text[:800].splitlines() if line.strip()][:_TITLE_LINES]
    return [normalise_text(line).strip(" \t\u3000—-") for line in lines]


def _is_heading(line: str) -> bool:
    return len(line) <= _TITLE_CHARS and not line.endswith(("。", "：", ":", "；"))


def _place_in(lines: list[str], places: tuple[Place, ...], national: bool) -> str:
    joined = "\n".join(lines)
    for p in places:
        if p.national == national and (p.name in joined or (len(p.short) > 1 and p.short in joined) or any(
            a in joined for a in p.aliases if len(a) > 1
        )):
            return p.name
    return ""


def from_title(text: str, places: tuple[Place, ...], pr: PeriodRules) -> dict:
    """Year, kind, place and title from the title lines of the text (short lines, not sentences)."""
    lines = title_lines(text)
    heads = [line for line in lines if _is_heading(line)]
    out: dict = {}
    for line in heads:
        k = next((k for k in pr.kinds if k.title is not None and k.title.search(line)), None)
        if k is not None:
            out.setdefault("title", line)
            out.setdefault("kind", k.name)
            y = _TITLE_YEAR.search(line)
            if y:
                out.setdefault("year", int(y.group(1)))
    # a province first (its report also says 全国), then the national bodies, which the
    # speaker line names too (我代表国务院)
    place = _place_in(heads, places, False) or _place_in(heads, places, True) or _place_in(lines, places, True)
    if place:
        out["place"] = place
    return out


def document_meta(path: str | Path | None, text: str, manifest: dict[str, dict] | None = None,
                  rules=None, doc_id: str = "") -> DocMeta:
    """The DocMeta of one document: year and, in `extra`, place, kind and title.

    Manifest or sidecar first, then the file name, then the title lines, field by field.
    """
    from .rules import load_rules

    rules = rules if rules is not None else load_rules()
    places, pr = places_of(rules), period_rules(rules)
    found: dict = {}
    layers: list[dict] = []
    if path is not None and str(path) not in ("", "-"):
        p = Path(path)
        given = dict((manifest or {}).get(p.name) or (manifest or {}).get(p.stem) or {})
        given.update(_sidecar(p) if p.exists() else {})
        layers.append({
            "year": _year(given.get("year")),
            "place": place_name(given.get("place", ""), places),
            "kind": doc_kind_name(given.get("kind", ""), pr),
            "title": str(given.get("title") or ""),
        })
        layers.append(from_file_name(p.name, places, pr))
    layers.append(from_title(text, places, pr))
    for layer in layers:
        for key, value in layer.items():
            if value and not found.get(key):
                found[key] = value
    return DocMeta(doc_id=doc_id, source=str(path or ""), year=found.get("year"),
                   extra={k: found.get(k, "") for k in ("place", "kind", "title")})


def manifest_table(path: str | Path) -> dict[str, dict]:
    """A manifest by path, read once per process (batch workers get the path, not the table)."""
    return _env_manifest(str(path))


def doc_meta_columns(meta: DocMeta | None) -> dict:
    """The documents table's year, place, kind and title columns for one document."""
    extra = (meta.extra if meta else None) or {}
    return {"year": meta.year if meta else None, "place": extra.get("place", ""),
            "kind": extra.get("kind", ""), "title": extra.get("title", "")}
