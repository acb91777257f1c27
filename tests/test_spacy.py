"""The `zhibiao` spaCy component: figures as spans with the table's fields, found through the entry point."""

import pytest

spacy = pytest.importorskip("spacy")

TEXT = "国内生产总值４７．２万亿元，比上年增长9.2%。全市建成学校12所"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    nlp.add_pipe("zhibiao")
    return nlp


def test_figures_are_spans_with_fields(nlp):
    from extractor import extract

    doc = nlp(TEXT)
    spans = list(doc.spans["figures"])
    df = extract(TEXT)
    assert [s.text for s in spans] == list(df["quote"])
    assert [(s.start_char, s.end_char) for s in spans] == list(zip(df["start"], df["end"], strict=True))
    gdp = spans[0]
    assert gdp._.value_norm == pytest.approx(4.72e13) and gdp._.unit_norm == "元" and gdp._.kind == "level"
    assert gdp._.indicator == df["indicator"][0] and gdp._.value_high is None
    assert spans[1].label_ == "growth" and spans[1]._.direction == "up"
    assert spans[2]._.value_norm == 12 and spans[2]._.unit_norm == "所"


def test_spans_expand_to_tokens():
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhibiao")
    doc = nlp("建成学校12所")
    span = doc.spans["figures"][0]
    assert "12所" in span.text and span._.quote == "12所"


def test_displacy_renders_figures(nlp):
    from spacy import displacy

    html = displacy.render(nlp(TEXT), style="span", options={"spans_key": "figures"}, page=False)
    assert "<" in html and "growth" in html.lower() and "level" in html.lower()
    assert "万" in html


def test_config_spans_key():
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhibiao", config={"spans_key": "zb"})
    assert len(nlp("增长9.2%").spans["zb"]) == 1


def test_factory_comes_from_the_entry_point():
    """pyproject.toml declares the factory, so spaCy finds it without `import extractor...`."""
    from importlib.metadata import entry_points

    from extractor.spacy_component import make_zhibiao

    eps = [ep for ep in entry_points(group="spacy_factories") if ep.name == "zhibiao"]
    assert [ep.value for ep in eps] == ["extractor.spacy_component:make_zhibiao"]
    assert eps[0].load() is make_zhibiao
    assert "zhibiao" in spacy.util.registry._entry_point_factories.get_entry_points()
