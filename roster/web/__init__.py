"""What every page of the roster shares: forms and their errors, page rendering, downloads.

Feature folders (``auth``, ``profile``, ``experts``, ``admin``, ``home``) import from here,
from the models and from the domain services (``accounts``, ``policy``, ``interchange``,
``validation``), never from one another; ``roster.auth.access``, every page's door, is the
one exception. ``tests/roster/test_boundaries.py`` keeps it so.
"""
