"""Read a PDF from standard input and print one verdict word; run in a child process.

``roster.profiles.cv`` runs this file with ``python -I`` under a memory and CPU limit, so
that a hostile file (object streams that each inflate to 75 MB, or megabytes of padding
that pypdf skips a byte at a time) costs one short-lived process, never the web worker.
It imports nothing but the standard library and pypdf, to start quickly.

Verdicts: ``ok``, ``encrypted``, ``no-pages``, ``unreadable``, ``too-complex``.
"""

import io
import logging
import resource
import sys
import warnings

# Far above what reading a 5 MB CV takes (about 40 MB, a tenth of a second), far below
# what would hurt the machine.
MEMORY_BYTES = 512 * 1024 * 1024
CPU_SECONDS = 5


def limit_resources() -> None:
    """Cap this process's address space and CPU time, and forbid core dumps."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def verdict(data: bytes) -> str:
    """Say whether ``data`` reads as an unencrypted PDF with at least one page."""
    from pypdf import PdfReader
    from pypdf.errors import (
        DependencyError,
        FileNotDecryptedError,
        LimitReachedError,
        WrongPasswordError,
    )

    try:
        # Not strict: viewers repair small defects (wrong xref offsets, a missing
        # %%EOF) that real CVs have, and the limits of this process bound the repairs.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "encrypted"
        return "ok" if len(reader.pages) > 0 else "no-pages"
    except (DependencyError, FileNotDecryptedError, WrongPasswordError):
        return "encrypted"
    except (MemoryError, RecursionError, LimitReachedError):
        return "too-complex"
    except Exception:  # A hostile file can make any parser raise anything (KeyError ...).
        return "unreadable"


def main() -> None:
    """Limit the process, read standard input, print the verdict."""
    limit_resources()
    # pypdf reports what it repairs through logging and warnings: nobody reads them here.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    data = sys.stdin.buffer.read()
    sys.stdout.write(verdict(data) + "\n")


if __name__ == "__main__":
    main()
