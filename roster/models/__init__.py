"""SQLModel tables of the roster; importing this package registers them all."""

from roster.models._common import new_public_id, utcnow
from roster.models.api import ApiToken, IdempotentRequest
from roster.models.audit import AuditEvent
from roster.models.changes import RosterChange
from roster.models.duplicates import DuplicateKey, DuplicatePair, FoundBy, PairStatus
from roster.models.experts import (
    AvailabilityWindow,
    Deployment,
    Expert,
    ExpertAccessibility,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    RosterStatusChange,
)
from roster.models.imports import ImportRun, ImportState
from roster.models.learning import LearningRun, WeightsAdoption
from roster.models.lists import ExpertList, ExpertListEntry, SavedSearch, SavedSearchMatch
from roster.models.missions import (
    CallOut,
    CandidateDecision,
    CandidateReveal,
    MissionRole,
    NeedsAssessment,
    Shortlist,
    ShortlistEntry,
    UnmetDemand,
)
from roster.models.outbox import OutboxMessage
from roster.models.states import CandidateOutcome, RosterStatus
from roster.models.users import STAFF_ROLES, RoleName, User, UserRole

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AvailabilityWindow",
    "CallOut",
    "CandidateDecision",
    "CandidateReveal",
    "CandidateOutcome",
    "Deployment",
    "DuplicateKey",
    "DuplicatePair",
    "Expert",
    "ExpertAccessibility",
    "ExpertLanguage",
    "ExpertList",
    "ExpertListEntry",
    "ExpertNationality",
    "ExpertSkill",
    "FoundBy",
    "IdempotentRequest",
    "ImportRun",
    "ImportState",
    "LearningRun",
    "MissionRole",
    "NeedsAssessment",
    "OutboxMessage",
    "PairStatus",
    "RoleName",
    "RosterStatus",
    "RosterChange",
    "RosterStatusChange",
    "SavedSearch",
    "SavedSearchMatch",
    "STAFF_ROLES",
    "Shortlist",
    "ShortlistEntry",
    "UnmetDemand",
    "User",
    "UserRole",
    "WeightsAdoption",
    "new_public_id",
    "utcnow",
]
