"""The search box of staff pages: how long a search may be, and what it may hold.

A search is sent in the page's address (GET), so its length is also the address's.
The box holds at most ``MAX_SEARCH`` characters (its ``maxlength``, and checked here
for addresses typed or edited by hand). Even 200 characters of the widest kind, each
12 bytes in an address (4 bytes of UTF-8, percent-encoded), make 2,400 bytes, far
inside the 8,190 that gunicorn reads (``limit_request_line`` in gunicorn.conf.py): a
longer search is answered by the search page with its error, and only an address
longer than gunicorn reads gets the server's own page (``roster.serving``).
"""

from wtforms import Field, Form, SearchField, ValidationError

from matching.storable import UnstorableText, describe_character, storable_text

MAX_SEARCH = 200


def too_long_message(length: int) -> str:
    """The message for a search of ``length`` characters, over ``MAX_SEARCH``."""
    return (
        f"The search is {length:,} characters long; a search can be at most {MAX_SEARCH} "
        f"characters. Its first {MAX_SEARCH} are in the box: shorten them and search again."
    )


def _searchable(form: Form, field: Field) -> None:
    """The search as it is looked up: trimmed, within ``MAX_SEARCH``, storable characters."""
    text = (field.data or "").strip()
    if len(text) > MAX_SEARCH:
        field.data = text[:MAX_SEARCH]
        raise ValidationError(too_long_message(len(text)))
    try:
        field.data = storable_text(text)
    except UnstorableText as error:
        # The roster stores no such character, so the search could find nothing.
        raise ValidationError(
            f"The search contains {describe_character(error.character)}, which no name or "
            "reference holds. Please retype it."
        ) from None


def search_field(label: str) -> SearchField:
    """A search box labelled ``label``, read by the one rule of every staff search."""
    return SearchField(
        label, default="", validators=[_searchable], render_kw={"maxlength": MAX_SEARCH}
    )


class SearchForm(Form):
    """A search read from the page's address: no form token, since it changes nothing."""

    q = search_field("Search")
