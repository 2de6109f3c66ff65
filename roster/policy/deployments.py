"""Whose word a past deployment is: the expert's own, or the Division's record."""

from roster.models import Deployment


def self_declared(deployment: Deployment) -> bool:
    """Whether the expert may remove a deployment: not rated, not recorded by the Division."""
    return (
        deployment.rating is None and deployment.mission_role_id is None and not deployment.comments
    )
