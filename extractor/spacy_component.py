"""The `zhibiao` spaCy pipeline component: every figure as a span in `doc.spans["figures"]`.

    import spacy
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhibiao")
    doc = nlp("国内生产总值47.2万亿元，比上年增长9.2%")
    [(s.text, s._.value_norm, s._.unit_norm, s._.kind, s._.indicator) for s in doc.spans["figures"]]

Why a component: spaCy users keep their own pipeline (tokeniser, NER, displacy) and want the
figures in it.  The factory is declared in pyproject.toml's `spacy_factories` entry point, so
`add_pipe("zhibiao")` works without importing this module first.  spaCy imports every entry
point whenever a pipeline is created, so this module stays light: the engine is imported when
the component is built.  Figures are found on `doc.text` by the same engine as `extract`, then
aligned to tokens with `char_span(alignment_mode="expand")`: a figure inside a token (jieba may
glue 12所 to the next word) still gets a span covering it.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

#: Columns of the indicator table that become span extensions (Span._.<column>).
SPAN_FIELDS = ("number_text", "value", "value_high", "unit", "multiplier", "value_norm", "unit_norm", "qualifier",
               "kind", "direction", "indicator", "indicator_raw", "indicator_id", "subject", "period", "basis",
               "rule", "flags", "quote", "start", "end")


def register_extensions() -> None:
    """Span._.value_norm and the other table fields (kept if another package set them)."""
    for name in SPAN_FIELDS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class ZhibiaoComponent:
    """Finds the figures of a Doc and stores them as labelled spans with the table's fields."""

    def __init__(self, nlp: Language, name: str, rules_dir: str = "", spans_key: str = "figures") -> None:
        from .rules import load_rules

        self.name = name
        self.spans_key = spans_key
        self.rules = load_rules(rules_dir or None)
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        from .pipeline import extract_text

        spans = []
        for row in extract_text(doc.text, self.rules):
            span = doc.char_span(row["start"], row["end"], label=row["kind"] or "figure", alignment_mode="expand")
            if span is None:  # only whitespace: nothing to show
                continue
            for name in SPAN_FIELDS:
                span._.set(name, _plain(row.get(name)))
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


def _plain(v: Any) -> Any:
    """NaN (no high end of a range) becomes None, as users test `is None`."""
    return None if isinstance(v, float) and v != v else v


@Language.factory(
    "zhibiao",
    default_config={"rules_dir": "", "spans_key": "figures"},
    assigns=["doc.spans"],
)
def make_zhibiao(nlp: Language, name: str, rules_dir: str, spans_key: str) -> ZhibiaoComponent:
    """The factory spaCy calls for `nlp.add_pipe("zhibiao", config={...})`."""
    return ZhibiaoComponent(nlp, name, rules_dir, spans_key)
