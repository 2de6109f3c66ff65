"""CSV for people to open in a spreadsheet: formula-looking cells neutralised, streamed.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` in a name or a reason would phone home when the file is opened),
and treats a leading tab or carriage return as a way to smuggle one in. Such a cell is
written with a leading apostrophe, which spreadsheets show as text and do not run.
"""

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as a cell's text, an apostrophe before a start a spreadsheet would run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[Iterable[object]], *, rows_per_chunk: int = 200) -> Iterator[str]:
    """The rows as CSV (CRLF line ends, every cell neutralised), ``rows_per_chunk`` rows
    a piece, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for number, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
