"""zhibiao (指标): figures from the prose of Chinese reports, as a verified indicator table."""

__version__ = "0.1.0"

from .api import extract  # noqa: E402

__all__ = ["extract", "__version__"]
