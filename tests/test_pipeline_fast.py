"""Fast paths of pipeline.py must give what the plain computation gives."""

from __future__ import annotations

from conftest import ROOT, SHARED

from extractor import pipeline
from extractor.normalise import normalise


def _texts() -> list[str]:
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((SHARED / "corpus" / "real").glob("*.txt"))[:15]
    texts = [normalise(p.read_text(encoding="utf-8", errors="replace")).text for p in paths]
    return texts + ["全省第一，增长第一，1-2万元，共一个一个，05号，第5名，居全国第2位增长5%", ""]


def test_kept_candidates_are_the_kept_decisions_in_their_order(rules):
    for text in _texts():
        plain = [c for c, reason in pipeline.candidate_decisions(text, rules) if not reason]
        assert pipeline.kept_candidates(text, rules) == plain


def test_classify_with_the_documents_index_is_classify(rules):
    from extractor.kinds import _index, classify

    index = _index(rules)
    for text in _texts()[:4]:
        norm = normalise(text)
        for f in pipeline.find_figures(norm, rules):
            if f.context is not None:
                assert classify(rules, f.cand.family, f.context, index) is classify(rules, f.cand.family, f.context)
