"""Forms of the staff's expert pages."""

from flask_babel import lazy_gettext as _l

from roster.search import SearchForm, search_field
from roster.web.reasons import ViewReasonForm

__all__ = ["ExpertSearchForm", "ViewReasonForm"]


class ExpertSearchForm(SearchForm):
    """Find experts by name or external id."""

    q = search_field(_l("Find by name or reference"))
