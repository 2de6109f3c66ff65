"""Forms of the duplicates' review: open a pair, say it is two people, merge it."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class OpenPairForm(FlaskForm):
    """Open a pair for review (audited as a view of both profiles)."""


class NotSameForm(FlaskForm):
    """The two records are different people: remembered, never shown again."""


class MergeForm(FlaskForm):
    """Merge the pair: the survivor, a value per differing field (read from ``keep_<field>``),
    and each record's version as the page showed it."""

    survivor = HiddenField()
    version_first = HiddenField()
    version_second = HiddenField()
