"""The Dask engine on a real dask.distributed cluster: a scheduler and two worker processes on loopback."""

from __future__ import annotations

import pytest
from test_batch import make_corpus, run

from extractor.errors import ZhibiaoError
from extractor.rules import load_rules

distributed = pytest.importorskip("distributed", reason='the dask engine is optional: pip install -e ".[dask]"')


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as c:
        yield c


@pytest.mark.slow
def test_dask_cluster_output_equals_local_run(tmp_path, cluster):
    rules = load_rules()  # as on disk now: the cluster is sent the files, not this process's objects
    corpus = make_corpus(tmp_path / "c", n=4)
    (corpus / "broken.pdf").write_bytes(b"not a pdf at all" * 10)
    local = run(corpus, tmp_path / "local", rules, workers=1)
    remote = run(corpus, tmp_path / "dask", rules, engine="dask", scheduler=cluster.scheduler_address)
    assert remote.engine.startswith("dask (2 worker threads at tcp://127.0.0.1:")
    assert (remote.figures, remote.failed) == (local.figures, 1) and local.figures > 30
    for name in ("indicators.csv", "documents.csv"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    again = run(corpus, tmp_path / "dask", rules, engine="dask", scheduler=cluster.scheduler_address)
    assert again.processed == 1  # only the failed document is retried


def test_unreachable_scheduler_is_one_clear_error(tmp_path, rules, monkeypatch):
    from extractor.engines import cluster as engine

    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    corpus = make_corpus(tmp_path / "c", n=1, with_seed=False)
    with pytest.raises(ZhibiaoError, match="cannot reach scheduler tcp://127.0.0.1:9"):
        run(corpus, tmp_path / "o", rules, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_rules_changed_after_loading_are_not_sent(tmp_path):
    import shutil

    from extractor.engines.cluster import rules_bundle, rules_from_bundle

    shutil.copytree(load_rules().directory, tmp_path / "rules")
    rules = load_rules(tmp_path / "rules")
    bundle = rules_bundle(rules)
    assert rules_from_bundle(bundle).version == rules.version
    with open(tmp_path / "rules" / "units.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited while a run starts\n")
    with pytest.raises(ZhibiaoError, match="changed since they were loaded"):
        rules_bundle(rules)
