"""Core schema: accounts, experts, missions, shortlists, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-22 08:19:38.885547
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("session_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("email_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_email"), ["email"], unique=True)
        batch_op.create_index(batch_op.f("ix_user_public_id"), ["public_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_user_session_token"), ["session_token"], unique=True)

    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("residence_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("gender", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("gender_consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("disability", sa.Boolean(), nullable=True),
        sa.Column("disability_consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("birth_year_consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("roster_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("seniority", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("years_experience", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("cv_stored_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("cv_original_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("cv_uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("profile_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("stale_reminder_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "birth_year IS NULL OR birth_year_consent_at IS NOT NULL",
            name=op.f("ck_expert_birth_year_consented"),
        ),
        sa.CheckConstraint(
            "disability IS NULL OR disability_consent_at IS NOT NULL",
            name=op.f("ck_expert_disability_consented"),
        ),
        sa.CheckConstraint(
            "gender IS NULL OR gender_consent_at IS NOT NULL",
            name=op.f("ck_expert_gender_consented"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["expert.id"],
            name=op.f("fk_expert_merged_into_id_expert"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_expert_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_user_id")),
    )
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_external_id"), ["external_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_expert_full_name"), ["full_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_public_id"), ["public_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_expert_roster_status"), ["roster_status"], unique=False
        )

    op.create_table(
        "needs_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("gender_target", sa.Float(), nullable=False),
        sa.Column("max_region_share", sa.Float(), nullable=True),
        sa.Column("exclude_nationals", sa.Boolean(), nullable=False),
        sa.Column("allow_partial_availability", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint('start <= "end"', name=op.f("ck_needs_assessment_needs_ordered")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_needs_assessment_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_assessment")),
    )
    with op.batch_alter_table("needs_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_needs_assessment_external_id"), ["external_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_needs_assessment_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user.id"],
            name=op.f("fk_user_role_granted_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_role_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject_expert_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_audit_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_expert_id"],
            ["expert.id"],
            name=op.f("fk_audit_event_subject_expert_id_expert"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_subject_expert_id"), ["subject_expert_id"], unique=False
        )

    op.create_table(
        "availability_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.CheckConstraint('start <= "end"', name=op.f("ck_availability_window_window_ordered")),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_availability_window_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_window")),
    )
    with op.batch_alter_table("availability_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_window_expert_id"), ["expert_id"], unique=False
        )

    op.create_table(
        "expert_accessibility",
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_expert_accessibility_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", "code", name=op.f("pk_expert_accessibility")),
    )
    with op.batch_alter_table("expert_accessibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_accessibility_code"), ["code"], unique=False)

    op.create_table(
        "expert_language",
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_expert_language_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", "code", name=op.f("pk_expert_language")),
    )
    with op.batch_alter_table("expert_language", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_language_code"), ["code"], unique=False)

    op.create_table(
        "expert_nationality",
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_expert_nationality_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", "country", name=op.f("pk_expert_nationality")),
    )
    with op.batch_alter_table("expert_nationality", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_nationality_country"), ["country"], unique=False
        )

    op.create_table(
        "expert_skill",
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("years", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("verified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_expert_skill_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user.id"],
            name=op.f("fk_expert_skill_verified_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("expert_id", "code", name=op.f("pk_expert_skill")),
    )
    with op.batch_alter_table("expert_skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_skill_code"), ["code"], unique=False)

    op.create_table(
        "mission_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("needs_id", sa.Integer(), nullable=False),
        sa.Column("role_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("seniority", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("min_years", sa.Integer(), nullable=True),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("desired_skills", sa.JSON(), nullable=False),
        sa.Column("required_languages", sa.JSON(), nullable=False),
        sa.Column("desired_languages", sa.JSON(), nullable=False),
        sa.Column("accessibility_expertise", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["needs_id"],
            ["needs_assessment.id"],
            name=op.f("fk_mission_role_needs_id_needs_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_role")),
        sa.UniqueConstraint("needs_id", "role_key", name=op.f("uq_mission_role_needs_id")),
    )
    with op.batch_alter_table("mission_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mission_role_needs_id"), ["needs_id"], unique=False)

    op.create_table(
        "roster_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user.id"],
            name=op.f("fk_roster_status_change_changed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_roster_status_change_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_status_change")),
    )
    with op.batch_alter_table("roster_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_status_change_expert_id"), ["expert_id"], unique=False
        )

    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("mission", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("mission_role_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_deployment_rating_range")
        ),
        sa.CheckConstraint('start <= "end"', name=op.f("ck_deployment_deployment_ordered")),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_deployment_expert_id_expert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mission_role_id"],
            ["mission_role.id"],
            name=op.f("fk_deployment_mission_role_id_mission_role"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployment_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "shortlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("requested_k", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("eligible_count", sa.Integer(), nullable=False),
        sa.Column("constraints", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_shortlist_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["mission_role.id"],
            name=op.f("fk_shortlist_role_id_mission_role"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist")),
    )
    with op.batch_alter_table("shortlist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shortlist_public_id"), ["public_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_shortlist_role_id"), ["role_id"], unique=False)

    op.create_table(
        "shortlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_shortlist_entry_expert_id_expert"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shortlist_id"],
            ["shortlist.id"],
            name=op.f("fk_shortlist_entry_shortlist_id_shortlist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_entry")),
        sa.UniqueConstraint("shortlist_id", "rank", name=op.f("uq_shortlist_entry_shortlist_id")),
    )
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shortlist_entry_shortlist_id"), ["shortlist_id"], unique=False
        )

    op.create_table(
        "candidate_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("shortlist_entry_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_candidate_decision_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["expert.id"],
            name=op.f("fk_candidate_decision_expert_id_expert"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["mission_role.id"],
            name=op.f("fk_candidate_decision_role_id_mission_role"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shortlist_entry_id"],
            ["shortlist_entry.id"],
            name=op.f("fk_candidate_decision_shortlist_entry_id_shortlist_entry"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_decision")),
    )
    with op.batch_alter_table("candidate_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_candidate_decision_expert_id"), ["expert_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidate_decision_role_id"), ["role_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("candidate_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_decision_role_id"))
        batch_op.drop_index(batch_op.f("ix_candidate_decision_expert_id"))

    op.drop_table("candidate_decision")
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_entry_shortlist_id"))

    op.drop_table("shortlist_entry")
    with op.batch_alter_table("shortlist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_role_id"))
        batch_op.drop_index(batch_op.f("ix_shortlist_public_id"))

    op.drop_table("shortlist")
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_expert_id"))

    op.drop_table("deployment")
    with op.batch_alter_table("roster_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_status_change_expert_id"))

    op.drop_table("roster_status_change")
    with op.batch_alter_table("mission_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mission_role_needs_id"))

    op.drop_table("mission_role")
    with op.batch_alter_table("expert_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_skill_code"))

    op.drop_table("expert_skill")
    with op.batch_alter_table("expert_nationality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_nationality_country"))

    op.drop_table("expert_nationality")
    with op.batch_alter_table("expert_language", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_language_code"))

    op.drop_table("expert_language")
    with op.batch_alter_table("expert_accessibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_accessibility_code"))

    op.drop_table("expert_accessibility")
    with op.batch_alter_table("availability_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_window_expert_id"))

    op.drop_table("availability_window")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_subject_expert_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    op.drop_table("user_role")
    with op.batch_alter_table("needs_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_assessment_public_id"))
        batch_op.drop_index(batch_op.f("ix_needs_assessment_external_id"))

    op.drop_table("needs_assessment")
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_roster_status"))
        batch_op.drop_index(batch_op.f("ix_expert_public_id"))
        batch_op.drop_index(batch_op.f("ix_expert_full_name"))
        batch_op.drop_index(batch_op.f("ix_expert_external_id"))
        batch_op.drop_index(batch_op.f("ix_expert_email"))

    op.drop_table("expert")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_token"))
        batch_op.drop_index(batch_op.f("ix_user_public_id"))
        batch_op.drop_index(batch_op.f("ix_user_email"))

    op.drop_table("user")
