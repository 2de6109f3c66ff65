"""The one way the roster's services refuse input.

A service that cannot accept what it was given raises ``Refused`` (or a subclass naming
the feature), with ``errors`` mapping what to correct to a plain message; the page maps
each key to its form field. Keys are still form field names for now (``languages-0-code``);
the interchange format's paths (``languages[0].code``) and message ids are to follow.
"""


class Refused(ValueError):
    """Input that cannot be accepted; ``errors`` maps what to correct to a plain message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
