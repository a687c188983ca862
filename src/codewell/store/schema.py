"""The tables of a project, as SQLAlchemy Core metadata (one schema for SQLite and PostgreSQL).

The decision log is append-only: rows are inserted, never updated or deleted, and an undo is a
new row pointing at the row it reverses (``undoes``, unique: nothing is reversed twice). Status and memo rows are the coder's
current bookkeeping and may be replaced.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = 7
APPLICATION = "codewell"

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

codebook_versions = Table(
    "codebook_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),  # the whole codebook as JSON
    Column("note", Text, nullable=False, default=""),
)

codes = Table(
    "codes",
    metadata,
    Column("version", ForeignKey("codebook_versions.version"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("code_id", String(128), nullable=False),
    Column("label", Text, nullable=False),
    Column("code_group", Text, nullable=False, default=""),
    Column("parent", String(128)),
    UniqueConstraint("version", "code_id"),
)

responses = Table(
    "responses",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("source_id", Text, nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("attributes", Text, nullable=False, default="{}"),  # JSON object of str -> str
    Column("is_empty", Boolean, nullable=False),
    Column("source_file", Text, nullable=False, default=""),
    # The random order's key, from the id (store/pages.py: shuffle_key); schema 6
    Column("shuffle", BigInteger),
)
SHUFFLE_INDEX = Index("responses_shuffle", responses.c.shuffle, responses.c.pk)

coders = Table(
    "coders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coder_id", ForeignKey("coders.id"), nullable=False),
    Column("response_pk", ForeignKey("responses.pk"), nullable=False),
    Column("code_id", String(128), nullable=False),
    Column("action", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("codebook_version", ForeignKey("codebook_versions.version"), nullable=False),
    Column("probability", Float),
    Column("from_suggestion", Boolean, nullable=False, default=False),
    Column("suggestions_on", Boolean, nullable=False, default=False),
    Column("undoes", ForeignKey("decisions.id")),
    Column("note", Text, nullable=False, default=""),
    # Added in schema 2: the client's identity for the event (a retry lands once). Nullable only
    # because SQLite cannot add a NOT NULL column to a filled table; every event carries one.
    Column("uid", String(32)),
    # Added in schema 4: a segment coding's span, ``text[seg_start:seg_end]`` in Unicode code
    # points (end exclusive); both NULL for a coding of the whole response.
    Column("seg_start", Integer),
    Column("seg_end", Integer),
    CheckConstraint("action IN ('apply', 'remove')", name="decision_action"),
    CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 1)",
                    name="decision_probability"),
)
Index("decisions_by_coder", decisions.c.coder_id, decisions.c.response_pk, decisions.c.code_id)
# Schema 2: an event is stored once per uid, and reversed at most once.
DECISION_UID_INDEX = Index("decisions_uid", decisions.c.uid, unique=True)
DECISION_UNDOES_INDEX = Index("decisions_undoes", decisions.c.undoes, unique=True)

statuses = Table(
    "statuses",
    metadata,
    Column("coder_id", ForeignKey("coders.id"), primary_key=True),
    Column("response_pk", ForeignKey("responses.pk"), primary_key=True),
    Column("status", String(8), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('done', 'skipped', 'flagged')", name="status_value"),
)

memos = Table(
    "memos",
    metadata,
    Column("coder_id", ForeignKey("coders.id"), primary_key=True),
    Column("response_pk", ForeignKey("responses.pk"), primary_key=True),
    Column("text", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

shown_suggestions = Table(
    "shown_suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coder_id", ForeignKey("coders.id"), nullable=False),
    Column("response_pk", ForeignKey("responses.pk"), nullable=False),
    Column("code_id", String(128), nullable=False),
    Column("probability", Float, nullable=False),
    Column("suggested", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("shown_by_coder", shown_suggestions.c.coder_id, shown_suggestions.c.response_pk)

# Schema 3: reliability sets. A set is a named, ordered draw of responses that every coder codes
# in the same order; the coders who opened it are its participants. Nothing here is ever updated:
# a set is drawn once, a coder joins it once.
reliability_sets = Table(
    "reliability_sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("stratify", Text),
    Column("allow_suggestions", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=False, default=""),
)

set_members = Table(
    "set_members",
    metadata,
    Column("set_id", ForeignKey("reliability_sets.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("response_pk", ForeignKey("responses.pk"), nullable=False),
    UniqueConstraint("set_id", "response_pk"),
)

set_coders = Table(
    "set_coders",
    metadata,
    Column("set_id", ForeignKey("reliability_sets.id"), primary_key=True),
    Column("coder_id", ForeignKey("coders.id"), primary_key=True),
    Column("joined_at", DateTime(timezone=True), nullable=False),
)
# Schema 3 also: a flag is a coder's note-to-self beside the status, so marking a flagged
# response done keeps the flag (schema 2 stored "flagged" as a status, which "done" replaced).
flags = Table(
    "flags",
    metadata,
    Column("coder_id", ForeignKey("coders.id"), primary_key=True),
    Column("response_pk", ForeignKey("responses.pk"), primary_key=True),
    Column("flagged_at", DateTime(timezone=True), nullable=False),
)
SCHEMA_3_TABLES = (reliability_sets, set_members, set_coders, flags)

# Coded responses from another study that the suggester learns from beside the coder's own
# decisions (schema 7): the file's rows in file order, each with the codes it applies (a JSON
# list). Which codes the reference speaks for, its file name and when it came are ``meta`` keys
# (``REFERENCE_KEY`` + codes / source / added_at), since one project holds one reference.
reference_rows = Table(
    "reference_rows",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("source_id", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("codes", Text, nullable=False),
)
REFERENCE_KEY = "reference."
