"""Projects on a PostgreSQL server: reading the URL users give, and showing it without a password.

Users write ``postgresql://user@host:port/db`` (``postgres://`` too); the store always speaks to it
through psycopg 3 (``postgresql+psycopg://``), the ``[postgres]`` extra. The password is never
meant to be in the URL: libpq reads it from ``PGPASSWORD``, ``~/.pgpass`` or a service file
(``postgresql:///db?service=lab``), and when one is in the URL anyway every message shows it
masked. Sessions run in UTC so timestamps mean the same on every engine.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from codewell.errors import ProjectError
from codewell.store import schema
from codewell.store.faults import refuse_nul

#: The advisory lock every write unit of one project database takes first (any number will do;
#: advisory locks are per database). Writers then follow each other as on SQLite (BEGIN
#: IMMEDIATE): no two sessions number a codebook version, a coder or an import at the same time.
WRITE_LOCK = 0x636F6465

SCHEMES = ("postgresql", "postgres")
URL_HINT = "write it as postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass)"
INSTALL_HINT = "install PostgreSQL support: pip install 'codewell[postgres]'"
#: Seconds to wait for a server to answer a new connection before saying it cannot be reached.
CONNECT_TIMEOUT = 10


def is_url(location: object) -> bool:
    return "://" in str(location)


def mask(location: str) -> str:
    """``location`` with any password replaced by ``***`` (in the authority or the query). A
    password typed raw may hold ``@`` or ``/``: everything up to the last ``@`` before the query
    is hidden, since showing too little of a URL is better than showing part of a password."""
    text = re.sub(r"(://[^/@:?]*:)[^?]*@", r"\1***@", str(location))
    return re.sub(r"(?i)([?&](?:ssl)?password=)[^&]*", r"\1***", text)


def server_url(location: str) -> URL:
    """The SQLAlchemy URL for a user's ``postgresql://`` URL (any driver named becomes psycopg)."""
    scheme = location.split("://", 1)[0].lower()
    if scheme.split("+", 1)[0] not in SCHEMES:
        raise ProjectError(f"{mask(location)}: codewell projects are files or postgresql:// URLs, "
                           f"not {scheme}://", hint=URL_HINT)
    try:
        url = make_url("postgresql+psycopg://" + location.split("://", 1)[1])
    except (ArgumentError, ValueError):
        raise ProjectError(f"{mask(location)}: not a usable database URL", hint=URL_HINT) from None
    if url.port is not None and not 0 < url.port < 65536:
        raise ProjectError(f"{mask(location)}: port {url.port} is not a port number", hint=URL_HINT)
    return url


def server_engine(location: str) -> Engine:
    """An engine for one project on a server. Pooled connections are not pinged before use: a
    connection a restarted server dropped fails its first statement as a disconnect, which
    invalidates the pool, and the unit of work runs again on a new one (a round trip saved on
    every unit)."""
    url = server_url(location)
    try:
        engine = create_engine(url, pool_size=2, max_overflow=8,
                               connect_args={"connect_timeout": CONNECT_TIMEOUT,
                                             "options": "-c timezone=UTC"})
    except (ModuleNotFoundError, NoSuchModuleError):
        raise ProjectError(f"{mask(location)}: PostgreSQL support is not installed", hint=INSTALL_HINT) from None
    event.listen(engine, "before_cursor_execute", refuse_nul, retval=True)

    @event.listens_for(engine, "begin")
    def _one_writer(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.info.get("write"):
            # Waiting inside the server queues writers fairly; the unit of work's own loop (which
            # says it is waiting, as for a SQLite lock) takes over when this try times out.
            waited = max(int(1000 * conn.info.get("lock_wait", 0.1)), 50)
            conn.exec_driver_sql(f"SELECT set_config('lock_timeout', '{waited}ms', true), "  # SET LOCAL
                                 f"pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


# -- coders' own roles, and blinding the server enforces ------------------------------------
#: ``meta`` keys (no schema change): ``team.role.<role>`` = the coder that login role codes as;
#: ``team.blind`` = "on" hides every other coder's work from coder roles, set or no set.
ROLE_KEY = "team.role."
BLIND_KEY = "team.blind"
#: Tables whose rows belong to one coder (decisions, statuses, memos, …); row-level security
#: decides who reads them. The decision log is append-only: nobody's role may delete from it.
COVERED = tuple(table.name for table in schema.metadata.sorted_tables
                if {"coder_id", "response_pk"} <= set(table.c.keys()))
CODER_DELETES = tuple(name for name in COVERED if name != "decisions")
#: What else a coder's role may add to (a new coder row, joining a set, new codes); the rest is read-only.
CODER_INSERTS = (*COVERED, "coders", "set_coders", "codebook_versions", "codes")

# Run as the project owner (SECURITY DEFINER), so they see everything whoever asks; the policies
# pass them ``current_user``, the role asking. Mirrors ReliabilitySet.is_open in the facade: a set
# is open until two or more coders joined it and every one of them has finished all of it.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION codewell_coder_of(asking name) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id FROM meta m JOIN coders c ON c.name = m.value WHERE m.key = 'team.role.' || asking
$$;
CREATE OR REPLACE FUNCTION codewell_sees_all(asking name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'team.role.' || asking AND value = 'consensus')
$$;
CREATE OR REPLACE FUNCTION codewell_decision_coder(decision integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coder_id FROM decisions WHERE id = decision
$$;
CREATE OR REPLACE FUNCTION codewell_adds_codes_only(added integer, new_body text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce((SELECT (p.body::jsonb - 'codes') = (new_body::jsonb - 'codes') AND NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements(p.body::jsonb -> 'codes') o WHERE NOT EXISTS (
             SELECT 1 FROM jsonb_array_elements(new_body::jsonb -> 'codes') n WHERE n = o))
         FROM codebook_versions p WHERE p.version < added ORDER BY p.version DESC LIMIT 1), false)
$$;
CREATE OR REPLACE FUNCTION codewell_lists_code(listed integer, code text, named text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM codebook_versions v, jsonb_array_elements(v.body::jsonb -> 'codes') c
                 WHERE v.version = listed AND c ->> 'id' = code AND c ->> 'label' = named)
$$;
CREATE OR REPLACE FUNCTION codewell_blind() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'team.blind' AND value = 'on')
$$;
CREATE OR REPLACE FUNCTION codewell_open_set_responses() RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT m.response_pk FROM set_members m JOIN reliability_sets s ON s.id = m.set_id
  WHERE (SELECT count(*) FROM set_coders sc WHERE sc.set_id = s.id) < 2
     OR EXISTS (SELECT 1 FROM set_coders sc WHERE sc.set_id = s.id AND
                (SELECT count(*) FROM set_members m2 JOIN statuses st ON st.response_pk = m2.response_pk
                 WHERE m2.set_id = s.id AND st.coder_id = sc.coder_id AND st.status = 'done')
                < (SELECT count(*) FROM set_members m3 WHERE m3.set_id = s.id))
$$;
"""
OWN = "coder_id = (SELECT codewell_coder_of(current_user))"
#: An undo reverses one of the coder's own decisions, never another coder's (which ana's own undo
#: could then not reverse, a decision being reversed once).
OWN_UNDO = "undoes IS NULL OR (SELECT codewell_decision_coder(undoes)) = coder_id"
VISIBLE = (f"{OWN} OR (SELECT codewell_sees_all(current_user)) OR (NOT (SELECT codewell_blind()) "
           "AND response_pk NOT IN (SELECT codewell_open_set_responses()))")


#: Shared tables a coder's role adds rows to, readable by all, under a rule for adding. The
#: codebook is the team's: a coder's role may add codes (a new version that keeps every code and
#: everything else as it was), never rename, edit, merge or retire one; the owner may. A coder
#: joins sets as themselves only.
SHARED_POLICIES = {
    "codebook_versions": "(SELECT codewell_adds_codes_only(version, body))",
    "codes": "(SELECT codewell_lists_code(version, code_id, label))",
    "set_coders": OWN,
}


def require_server(conn: Connection, location: str) -> None:
    if conn.dialect.name != "postgresql":
        raise ProjectError(f"{location}: a project file has no database roles; team works on a "
                           "PostgreSQL project", hint="on SQLite, blinding is enforced by codewell "
                           "itself; move the project with: codewell migrate FILE postgresql://…")


def install_policies(conn: Connection) -> None:
    """(Re)create the functions and policies; safe to run again (``team add`` runs it each time,
    so tables added by a later schema are covered as soon as a coder is added)."""
    conn.exec_driver_sql(FUNCTIONS)
    for table in COVERED:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for policy, clause in (("read", f"FOR SELECT USING ({VISIBLE})"),
                               ("add", f"FOR INSERT WITH CHECK ({OWN}"
                                       + (f" AND ({OWN_UNDO}))" if table == "decisions" else ")")),
                               ("remove", f"FOR DELETE USING ({OWN})")):
            if policy == "remove" and table not in CODER_DELETES:
                continue
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS codewell_{policy} ON {table}")
            conn.exec_driver_sql(f"CREATE POLICY codewell_{policy} ON {table} {clause}")
    for table, check in SHARED_POLICIES.items():
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for policy, clause in (("read", "FOR SELECT USING (true)"), ("add", f"FOR INSERT WITH CHECK ({check})")):
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS codewell_{policy} ON {table}")
            conn.exec_driver_sql(f"CREATE POLICY codewell_{policy} ON {table} {clause}")


def role_for(database: str, coder: str) -> str:
    """A login role name for ``coder`` in this database (roles are server-wide: the database is
    in the name, so one server can hold many projects)."""
    return re.sub(r"[^a-z0-9_]", "_", f"cw_{database}_{coder}".lower())[:63]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _verifier(conn: Connection, role: str, password: str) -> str:
    """The password as the server will store it (a SCRAM verifier, hashed here by libpq as
    ``psql``'s ``\\password`` does), so the plain password never reaches the server's
    statement log or ``pg_stat_activity``."""
    pgconn = conn.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
    return bytes(pgconn.encrypt_password(password.encode(), role.encode(), None)).decode()


def add_member(conn: Connection, coder: str, role: str, password: str | None, *, existing: bool) -> bool:
    """Give ``coder`` the login ``role`` (created unless ``existing``) with a coder's rights;
    True when the role was created."""
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    created = False
    if existing and found is None:
        raise ProjectError(f"the server has no role '{role}'",
                           hint="create it first (CREATE ROLE … LOGIN), or leave --role out to have one made")
    if not existing:
        if found is None:
            conn.exec_driver_sql(f"CREATE ROLE {_quote(role)} LOGIN PASSWORD "
                                 f"{_literal(_verifier(conn, role, password or ''))}")
            created = True
        elif password is not None:
            conn.exec_driver_sql(f"ALTER ROLE {_quote(role)} PASSWORD {_literal(_verifier(conn, role, password))}")
    database = conn.exec_driver_sql("SELECT current_database()").scalar()
    role_sql = _quote(role)
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quote(str(database))} TO {role_sql}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role_sql}")
    conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role_sql}")
    conn.exec_driver_sql(f"GRANT INSERT ON {', '.join(CODER_INSERTS)} TO {role_sql}")
    conn.exec_driver_sql(f"GRANT DELETE ON {', '.join(CODER_DELETES)} TO {role_sql}")
    conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role_sql}")
    # Tables a later migration adds (created by the owner, who runs this) are readable too.
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role_sql}")
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {role_sql}")
    for table in COVERED:  # no coder may rewrite the log, nor others' bookkeeping
        conn.exec_driver_sql(f"REVOKE UPDATE, TRUNCATE ON {table} FROM {role_sql}")
    conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": ROLE_KEY + role})
    conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v)"), {"k": ROLE_KEY + role, "v": coder})
    install_policies(conn)
    return created


def remove_member(conn: Connection, coder: str) -> list[str]:
    """Take this project's rights from every login role mapped to ``coder`` and unmap it; the
    roles stay on the server (roles are server-wide, and ``--role`` may have mapped one in use
    elsewhere) and the coder's decisions stay in the project. Returns the roles."""
    roles = [str(role) for role, in conn.execute(
        text("SELECT substr(key, :n) FROM meta WHERE key LIKE :p AND value = :c ORDER BY key"),
        {"n": len(ROLE_KEY) + 1, "p": ROLE_KEY + "%", "c": coder})]
    database = conn.exec_driver_sql("SELECT current_database()").scalar()
    for role in roles:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            role_sql = _quote(role)
            conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {role_sql}")
            conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {role_sql}")
            conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role_sql}")
            conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role_sql}")
            conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA public FROM {role_sql}")
            conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {_quote(str(database))} FROM {role_sql}")
        conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": ROLE_KEY + role})
    return roles


def keep_policies(conn: Connection) -> None:
    """After a schema upgrade, cover the tables it added before any coder can read them: coders
    read new tables by default (``add_member`` grants it), so their policies must exist first."""
    if conn.dialect.name != "postgresql":
        return
    if conn.execute(text("SELECT 1 FROM meta WHERE key LIKE :p"), {"p": ROLE_KEY + "%"}).first():
        install_policies(conn)


def set_blind(conn: Connection, on: bool) -> None:
    conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": BLIND_KEY})
    if on:
        conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, 'on')"), {"k": BLIND_KEY})
    install_policies(conn)


def members(conn: Connection) -> tuple[str, bool, list[tuple[str, str, bool, bool]]]:
    """(the owner role, blind mode, [(role, coder, can log in, the role exists)]) of this project."""
    owner = conn.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                                 "AND tablename = 'decisions'").scalar()
    blind = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": BLIND_KEY}).scalar() == "on"
    rows = conn.execute(text(
        "SELECT substr(m.key, :n), m.value, coalesce(r.rolcanlogin, false), r.rolname IS NOT NULL FROM meta m "
        "LEFT JOIN pg_roles r ON r.rolname = substr(m.key, :n) WHERE m.key LIKE :p ORDER BY m.value"),
        {"n": len(ROLE_KEY) + 1, "p": ROLE_KEY + "%"}).all()
    return str(owner), blind, [(str(role), str(coder), bool(login), bool(exists))
                               for role, coder, login, exists in rows]
