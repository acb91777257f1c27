"""The document texts the offsets index, for reading the words around each figure.

Why re-read: the table keeps each figure's sentence, but a sentence split at a footnote mark can
cut 其中 off from its parts; the whole text is the truth.  It is read as extraction read it
(documents.csv: text_path for Word/PDF/HTML, else the source decoded with its recorded encoding)
and used only if every quote sits at its offsets.  Otherwise (stdin, moved files) the text is
rebuilt from the sentences in the table, with the gaps between them as sentence breaks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _decode(data: bytes, path: str, encoding: str) -> str:
    try:
        from ..sources import decode_bytes

        return decode_bytes(data, path, encoding or None)[0]
    except Exception:  # noqa: BLE001 - any failure falls back to the rebuilt text
        return data.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")


def _fits(text: str, rows: pd.DataFrame) -> bool:
    return all(text[s:e] == qt for s, e, qt in zip(rows["start"], rows["end"], rows["quote"], strict=True))


def read_text(out_dir: Path | None, doc: dict) -> str | None:
    """The decoded text of one document row of documents.csv, or None when it cannot be read."""
    candidates = []
    if doc.get("text_path") and out_dir is not None:
        candidates.append(Path(out_dir) / str(doc["text_path"]))
    if doc.get("source") and doc.get("source") != "-":
        candidates.append(Path(str(doc["source"])))
    for p in candidates:
        try:
            data = p.read_bytes()
        except OSError:
            continue
        if p.suffix == ".txt" and "texts" in p.parts:
            return data.decode("utf-8", errors="surrogatepass")
        return _decode(data, str(p), str(doc.get("encoding") or ""))
    return None


def rebuild_text(rows: pd.DataFrame) -> str:
    """A text with every sentence of the table at its offsets and 。 in the gaps."""
    size = int(rows["end"].max()) if len(rows) else 0
    chars = ["。"] * size
    for s, qt, sent in zip(rows["start"], rows["quote"], rows["sentence"], strict=True):
        k = str(sent).find(str(qt))
        base = int(s) - k
        if k < 0 or base < 0:
            chars[int(s):int(s) + len(qt)] = list(qt)
            continue
        if base + len(sent) > len(chars):
            chars.extend(["。"] * (base + len(sent) - len(chars)))
        chars[base:base + len(sent)] = list(sent)
    return "".join(chars)


def document_text(out_dir: Path | None, doc: dict | None, rows: pd.DataFrame) -> str:
    """The real text when it matches the rows, else the rebuilt one."""
    text = read_text(out_dir, doc) if doc else None
    if text is not None and _fits(text, rows):
        return text
    return rebuild_text(rows)
