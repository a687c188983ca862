# A throwaway PostgreSQL cluster for the test run (sourced by .ci/run; also usable by hand:
#   source .ci/postgres.sh && pg_start && echo "$CODEWELL_TEST_PG_URL" ... && pg_stop).
# The server runs as the unprivileged user `nobody` (PostgreSQL refuses to run as root), listens on
# 127.0.0.1 only, on a free port, with its data in a temporary folder that pg_stop removes.
# Its superuser `postgres` logs in without a password from loopback (the tests' owner role);
# every other role must give a password, as a coder's role would on a lab's server.

pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        # Debian's package starts a cluster of its own on 5432; ours does not need it.
        pg_ctlcluster --help >/dev/null 2>&1 && for c in $(ls /etc/postgresql 2>/dev/null); do
            pg_ctlcluster "$c" main stop 2>/dev/null || true; done
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    echo "$dir"
}

pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
    PG_BIN=$(pg_bindir)
    PG_DIR=$(mktemp -d /tmp/codewell-pg.XXXXXX)
    PG_PORT=$(pg_free_port)
    chown nobody "$PG_DIR"
    chmod 0700 "$PG_DIR"
    local as_nobody=(runuser -u nobody --)
    [ "$(id -u)" = 0 ] || as_nobody=()
    "${as_nobody[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || "${as_nobody[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1
    cat >"$PG_DIR/data/pg_hba.conf" <<'EOF'
local all postgres trust
host  all postgres 127.0.0.1/32 trust
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
EOF
    # Settings in the file, not on the command line, so a test can stop and start the server
    # (a restart mid-session) with a plain pg_ctl start. Durability is not under test here.
    cat >>"$PG_DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    "${as_nobody[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null
    export CODEWELL_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    export CODEWELL_TEST_PG_DIR="$PG_DIR" CODEWELL_TEST_PG_BIN="$PG_BIN"
    echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$PG_PORT ($PG_DIR)"
}

pg_stop() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        local as_nobody=(runuser -u nobody --)
        [ "$(id -u)" = 0 ] || as_nobody=()
        "${as_nobody[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
