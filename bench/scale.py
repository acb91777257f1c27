"""Archive-scale benchmark (issue 8): a large corpus, 1 vs N workers, peak memory, a kill at 50 % and a resume.

    python bench/scale.py --size 1GB [--workers N] [--single-fraction 0.25] [--sample-mb 20]
    nohup python bench/scale.py --size 200MB > bench/data/scale-200MB.log 2>&1 &

Not a test: it runs for minutes.  It builds bench/data/corpus-<size>/ (gitignored) by repeating
../shared/corpus/real/*.txt with their figures varied (every ASCII digit of copy k shifted by k,
so numbers keep their shape), then, in one run, with the real `zhibiao extract` command:
1. 1 worker (on the first --single-fraction of the copies, to keep the run short): docs/s, MB/s, peak RSS;
2. N workers on the whole corpus: the same, and the speedup over 1 worker (MB/s ratio);
3. N workers again, SIGKILLed (whole process group) once half the documents are committed, then
   resumed: documents committed before the kill yet redone (must be 0; the lost work is bounded by
   what was in flight: workers*4 + one chunk) and whether the final tables equal the uninterrupted
   run's byte for byte;
4. jieba.lcut vs single-worker zhibiao over the same sample (--sample-mb) of the corpus: the ratio.
Every run uses a frozen copy of extractor/ and rules/ (the tree may change while it runs).
Peak memory is the largest sum of RSS over the whole process tree, sampled every 0.2 s.
Results: one JSON object on stdout and in bench/data/scale-<size>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
DATA = ROOT / "bench" / "data"
DIGIT = re.compile(rb"[0-9]")


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?B?)", text.strip().upper())
    if not m:
        raise SystemExit(f"scale: --size {text!r}: say e.g. 200MB or 1GB")
    mult = {"K": 1e3, "M": 1e6, "G": 1e9}.get(m.group(2)[:1], 1)
    return int(float(m.group(1)) * mult)


def vary(data: bytes, k: int) -> bytes:
    """Copy k of a text: every ASCII digit shifted by k (mod 10), so the figures differ copy to copy."""
    if k == 0:
        return data
    table = bytes((b - 48 + k) % 10 + 48 if 48 <= b <= 57 else b for b in range(256))
    return data.translate(table)


def build_corpus(size: int) -> Path:
    """bench/data/corpus-<size>/copy_NNNN/<name>.txt until the total reaches size bytes (reused if built)."""
    folder = DATA / f"corpus-{size // 1_000_000}MB"  # shared by every --tag
    done = folder / ".built"
    if done.exists():
        return folder
    sources = [(p.name, p.read_bytes()) for p in sorted(REAL.glob("*.txt"))]
    total, k = 0, 0
    while total < size:
        sub = folder / f"copy_{k:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        for name, data in sources:
            (sub / name).write_bytes(vary(data, k))
            total += len(data)
        k += 1
    done.write_text(json.dumps({"bytes": total, "copies": k, "docs": k * len(sources)}))
    return folder


def corpus_info(folder: Path) -> dict:
    return json.loads((folder / ".built").read_text())


class TreeMemory(threading.Thread):
    """Peak total RSS of a process and all its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._halt.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._halt.wait(0.2)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def journal_lines(out: Path) -> int:
    j = out / ".zhibiao" / "journal.jsonl"
    try:
        with open(j, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return 0


def snapshot() -> Path:
    """A frozen copy of extractor/ and rules/ for every run of this benchmark: runs compared byte for
    byte must use the same code and rules even while the working tree changes under them."""
    snap = DATA / f"snapshot-{os.getpid()}"
    for name in ("extractor", "rules"):
        shutil.copytree(ROOT / name, snap / name, ignore=shutil.ignore_patterns("__pycache__"))
    return snap


SNAP: Path | None = None
CLI_ARGS: list[str] = []


def extract(inputs: list[Path], out: Path, workers: int, *, force: bool, kill_at: int | None = None) -> dict:
    """Run `zhibiao extract`; with kill_at, SIGKILL the process group once that many documents are committed."""
    cmd = [sys.executable, "-m", "extractor", "extract", *map(str, inputs), "--out", str(out),
           "--workers", str(workers), "--no-progress"] + (["--force"] if force else []) + CLI_ARGS
    before = os.times()
    t0 = time.perf_counter()
    env = dict(os.environ)
    if SNAP is not None:
        env.update(PYTHONPATH=str(SNAP), ZHIBIAO_RULES=str(SNAP / "rules"))
    proc = subprocess.Popen(cmd, cwd=SNAP or ROOT, env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    mem = TreeMemory(proc.pid)
    mem.start()
    err_lines: list[str] = []
    reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr), daemon=True)
    reader.start()
    killed_at = None
    if kill_at is not None:
        while proc.poll() is None:
            n = journal_lines(out)
            if n >= kill_at:
                os.killpg(proc.pid, signal.SIGKILL)
                killed_at = n
                break
            time.sleep(0.2)
    rc = proc.wait()
    wall = time.perf_counter() - t0
    peak = mem.stop()
    reader.join(5)
    after = os.times()
    err = "".join(err_lines)
    skipped = re.search(r"(\d+) document\(s\) unchanged", err)
    res = {"rc": rc, "wall_s": round(wall, 1), "cpu_s": round(after.children_user + after.children_system
                                                               - before.children_user - before.children_system, 1),
           "peak_rss_MB": round(peak / 1e6), "skipped": int(skipped.group(1)) if skipped else 0}
    if killed_at is not None:
        res["committed_at_kill"] = journal_lines(out)  # what the journal holds once the group is dead
    if rc not in (0, -9) or (rc == -9 and killed_at is None):
        res["stderr_tail"] = err[-2000:]
    return res


def rates(res: dict, docs: int, nbytes: int) -> dict:
    res.update({"docs": docs, "MB": round(nbytes / 1e6, 1), "docs_per_s": round(docs / res["wall_s"], 1),
                "MB_per_s": round(nbytes / 1e6 / res["wall_s"], 2)})
    return res


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


def jieba_ratio(copies: list[Path], sample_mb: float) -> dict:
    """zhibiao (1 worker) and jieba.lcut over the same sample, each in a fresh interpreter (speed.py).
    The sample is taken from the first copy only: later copies repeat its sentences with other
    figures, and zhibiao's per-clause caches would make them look cheaper than real archives."""
    sys.path.insert(0, str(ROOT / "bench"))
    from speed import time_jieba, time_zhibiao

    paths, total = [], 0
    for c in copies[:1]:
        for p in sorted(c.glob("*.txt")):
            if total >= sample_mb * 1e6:
                break
            paths.append(p)
            total += p.stat().st_size
    t_zb, cpu_zb, _ = time_zhibiao(paths)
    t_jb, cpu_jb = time_jieba(paths)
    return {"sample_MB": round(total / 1e6, 1), "zhibiao_s": round(t_zb, 1), "jieba_lcut_s": round(t_jb, 1),
            "ratio": round(t_zb / t_jb, 3), "ratio_cpu": round(cpu_zb / cpu_jb, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1GB", help="corpus size to build (default 1GB; e.g. 200MB)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="N for the parallel runs")
    ap.add_argument("--single-fraction", type=float, default=1.0,
                    help="run the 1-worker pass on this fraction of the copies (rates are per MB)")
    ap.add_argument("--sample-mb", type=float, default=10.0, help="MB of the corpus for the jieba.lcut ratio")
    ap.add_argument("--cli-args", default="", help="more options for every `zhibiao extract`, e.g. '--no-db'")
    ap.add_argument("--tag", default="", help="suffix for the output and report names")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: single,parallel,kill,jieba")
    args = ap.parse_args(argv)
    if not REAL.is_dir():
        print(f"skip: {REAL} not found (the shared corpus sits beside the project)")
        return 0
    skip = set(filter(None, args.skip.split(",")))
    global SNAP
    SNAP = snapshot()
    CLI_ARGS.extend(args.cli_args.split())
    size = parse_size(args.size)
    t0 = time.perf_counter()
    corpus = build_corpus(size)
    info = corpus_info(corpus)
    copies = sorted(p for p in corpus.iterdir() if p.is_dir())
    per_copy_docs, per_copy_bytes = info["docs"] // info["copies"], info["bytes"] // info["copies"]
    result: dict = {"size": args.size, "corpus": {**info, "build_s": round(time.perf_counter() - t0, 1)},
                    "workers": args.workers, "cpus": os.cpu_count(), "load_avg_start": os.getloadavg(),
                    "cli_args": args.cli_args}
    stem = f"{size // 1_000_000}MB{args.tag}"
    report = DATA / f"scale-{stem}.json"

    def save() -> None:
        report.write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result), flush=True)

    if "single" not in skip:
        n = max(1, round(len(copies) * args.single_fraction))
        res = extract(copies[:n], DATA / f"out-{stem}-w1", 1, force=True)
        result["single"] = rates(res, n * per_copy_docs, n * per_copy_bytes)
        save()
    if "parallel" not in skip:
        res = extract([corpus], DATA / f"out-{stem}-wN", args.workers, force=True)
        result["parallel"] = rates(res, info["docs"], info["bytes"])
        if "single" in result:
            result["speedup"] = round(result["parallel"]["MB_per_s"] / result["single"]["MB_per_s"], 2)
        save()
    if "kill" not in skip:
        out = DATA / f"out-{stem}-kill"
        # a clean folder: the kill is triggered by counting journal lines, and a journal left by an
        # earlier run would be counted before --force truncates it (the kill would come at once)
        shutil.rmtree(out, ignore_errors=True)
        killed = extract([corpus], out, args.workers, force=True, kill_at=info["docs"] // 2)
        resumed = rates(extract([corpus], out, args.workers, force=False), info["docs"], info["bytes"])
        resumed["processed"] = info["docs"] - resumed["skipped"]
        # documents committed before the kill but extracted again (must be 0); the work lost is at most
        # what was in flight or in the uncommitted chunk: workers*4 + chunk size (64) documents
        resumed["redone_committed"] = resumed["processed"] - (info["docs"] - killed.get("committed_at_kill", 0))
        resumed["in_flight_bound"] = args.workers * 4 + 64
        ref = DATA / f"out-{stem}-wN"
        resumed["equals_uninterrupted"] = all(sha(out / f) == sha(ref / f) != "" for f in
                                              ("indicators.csv", "documents.csv", "indicators.parquet"))
        result["kill"], result["resume"] = killed, resumed
        save()
    if "jieba" not in skip:
        result["jieba"] = jieba_ratio(copies, args.sample_mb)
    result["load_avg_end"] = os.getloadavg()
    result["total_s"] = round(time.perf_counter() - t0, 1)
    save()
    shutil.rmtree(SNAP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
