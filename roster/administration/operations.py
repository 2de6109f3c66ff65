"""The admin pages' writes that are not about accounts: the record of an audit export."""

from sqlmodel import Session

from roster.administration import queries
from roster.models import AuditEvent


def record_export(*, session: Session, filters: queries.TrailFilters, actor_id: int) -> None:
    """Audit an export of the trail with the filters it used (ids, never an address).

    Raises:
        TrailRefused: the filters name no account or expert, or the days are reversed.
    """
    queries.check_filters(session=session, filters=filters)
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action="audit.exported",
            detail=queries.export_detail(session=session, filters=filters),
        )
    )
