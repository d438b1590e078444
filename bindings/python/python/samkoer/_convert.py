"""Conversions between Python values and what the native module takes: data frames and rows
to CSV, times to seconds, columns to lines. No step lives here; the core does every one."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
from typing import Any, Iterable, Optional, Sequence, Union

Path = Union[str, "os.PathLike[str]"]


def seconds(when: Optional[_dt.datetime]) -> Optional[float]:
    """A time as seconds since 1970 (a naive datetime is taken as UTC)."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.timestamp()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN, as pandas writes a missing value
        return ""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if hasattr(value, "isoformat") and hasattr(value, "date"):  # pandas.Timestamp
        return value.date().isoformat()
    return str(value)


def table_bytes(rows: Any, columns: Optional[Sequence[str]] = None, delimiter: str = ";") -> tuple[bytes, str]:
    """A file path as it is, or a pandas/pyarrow table or any iterable of rows (mappings, or
    sequences with `columns`) as CSV separated by `delimiter`: (bytes or path, name for errors).
    Line 1 is the header; the table's first row is line 2."""
    if isinstance(rows, (str, os.PathLike)):
        return rows, str(rows)
    if isinstance(rows, (bytes, bytearray)):
        return bytes(rows), "export"
    if hasattr(rows, "to_pandas") and not hasattr(rows, "to_csv"):  # a pyarrow table
        rows = rows.to_pandas()
    name = "rows"
    if hasattr(rows, "to_csv") and hasattr(rows, "columns"):  # a pandas DataFrame
        columns, name = [str(c) for c in rows.columns], "DataFrame"
        rows = rows.itertuples(index=False, name=None)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    rows = iter(rows)
    first = next(rows, None)
    if first is not None and hasattr(first, "keys"):
        columns = list(columns or first.keys())
        writer.writerow(columns)
        for row in [first, *rows]:
            writer.writerow(_cell(row.get(c)) for c in columns)
    else:
        if columns is None:
            raise TypeError("rows that are not mappings need columns=[...]")
        writer.writerow(columns)
        for row in [] if first is None else [first, *rows]:
            writer.writerow(_cell(v) for v in row)
    return out.getvalue().encode("utf-8"), name


def column_items(cprs: Any) -> list:
    """A column (list, tuple, NumPy array, pandas Series, pyarrow array, any iterable) as a list."""
    if hasattr(cprs, "to_pylist"):
        return cprs.to_pylist()
    if hasattr(cprs, "tolist"):
        return cprs.tolist()
    return list(cprs) if not isinstance(cprs, (list, tuple)) else cprs


def column_text(cprs: Any) -> Optional[bytes]:
    """The column as one UTF-8 text, a number per line, or None if it cannot be joined so."""
    items = cprs.tolist() if hasattr(cprs, "tolist") else cprs
    if not isinstance(items, (list, tuple)):
        return None
    try:
        text = "\n".join(items)
    except TypeError:
        return None
    # A value holding a line break would shift the lines: leave such a column to the slow path.
    if text.count("\n") != max(len(items) - 1, 0):
        return None
    return text.encode("utf-8")


def lenient_text(items: Iterable[Any]) -> bytes:
    """Every item as one line, whatever it is: a missing value or one with a line break becomes a
    line that is no CPR number, so that it is rejected at its own position."""
    return "\n".join("" if v is None else str(v).replace("\n", " ").replace("\r", " ") for v in items).encode("utf-8")
