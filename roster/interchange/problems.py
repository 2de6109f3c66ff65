"""What the interchange readers say about a file they cannot read, in part or whole."""


class FormatError(ValueError):
    """A part of the file that is not a readable record, with a plain-English reason."""


class FileRejected(ValueError):
    """The file as a whole cannot be read (unknown format, empty, not UTF-8 ...)."""
