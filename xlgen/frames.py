"""The records as pandas DataFrames, for analysts who use xlgen as a library::

    from xlgen import frames
    from xlgen.store import Store

    with Store.open() as store:
        df = frames.indicators(store.load("2019"))
    df.groupby("bureau")["actual"].count()

The rows are the ones `xlgen parse --format csv` writes (one per indicator, with the Korean
column names and the 달성률 and 판정 computed by the workbook's rules; the columns of the
document kind's registry entry), so a DataFrame and the CSV export never disagree.
pandas is optional (``pip install 'xlgen[frames]'``): it is imported when a function here
is called, and its absence is a clear error, not an import failure of xlgen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import kinds
from .errors import XlgenError
from .model import Document

if TYPE_CHECKING:
    import pandas


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise XlgenError(
            "pandas가 설치되어 있지 않습니다. pip install 'xlgen[frames]'로 설치하세요."
        ) from None
    return pandas


def indicators(doc: Document, *, threshold: float | None = None) -> pandas.DataFrame:
    """One row per indicator, in document order, with the kind's CSV columns (also when
    empty); ``threshold`` overrides the document's 부진 threshold, as in the CSV."""
    kind = kinds.of(doc)
    rows = list(kind.csv_rows(doc, threshold))
    return _pandas().DataFrame.from_records(rows, columns=list(kind.csv_columns))


def warnings(doc: Document) -> pandas.DataFrame:
    """The parser's findings: line (None when the finding has no line), kind (the finding's
    kind, as `xlgen parse --format json` names it), its Korean label and message."""
    rows = [
        {"line": w.line, "kind": w.kind.value, "label": w.kind.label, "message": w.message}
        for w in doc.warnings
    ]
    return _pandas().DataFrame.from_records(rows, columns=["line", "kind", "label", "message"])
