import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

os.environ.setdefault("ZHIBIAO_RULES", str(ROOT / "rules"))
# the rules cache (extractor/rulecache.py) of a test run is its own, not the user's ~/.cache
os.environ.setdefault("ZHIBIAO_CACHE_DIR", tempfile.mkdtemp(prefix="zhibiao-test-cache-"))


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/, or skip: those third-party texts are never committed here."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not found: tests on the real corpus need ../shared/ beside the project")
    return p


@pytest.fixture(scope="session")
def rules():
    from extractor.rules import load_rules

    return load_rules(ROOT / "rules")
