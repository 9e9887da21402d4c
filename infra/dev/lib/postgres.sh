# PostgreSQL 15: a private cluster in the run dir, database `analytics`, infra/postgres/*.sql applied.

readonly PG_PORT=5432
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly PG_DATABASE=analytics

pg_data() { echo "${RUN_DIR}/postgres"; }
pg_marker() { echo "-D $(pg_data)"; }

# initdb and postgres refuse to run as root: as root, run them as the `postgres` user.
as_postgres() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_psql() { PGOPTIONS="-c client_min_messages=warning" "${PG_BIN}/psql" -h 127.0.0.1 -p "${PG_PORT}" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

postgres_ensure_installed() {
    [[ -x "${PG_BIN}/postgres" ]] && return 0
    [[ "$(id -u)" == 0 ]] || die "postgres: ${PG_BIN} is missing; install it with: sudo apt-get install -y postgresql"
    log "postgres: ${PG_BIN} missing, installing postgresql with apt..."
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >"${RUN_DIR}/apt.log" 2>&1 \
        || die "postgres: apt-get install postgresql failed, see ${RUN_DIR}/apt.log"
    [[ -x "${PG_BIN}/postgres" ]] || die "postgres: apt installed PostgreSQL, but not version 15 in ${PG_BIN}"
}

postgres_init() {
    local data; data="$(pg_data)"
    [[ -f "${data}/PG_VERSION" ]] && return 0
    mkdir -p "${data}"
    [[ "$(id -u)" == 0 ]] && chown postgres:postgres "${data}"
    chmod 700 "${data}"
    as_postgres test -w "${data}" || die "postgres: the postgres user cannot write ${data} (is every parent directory world-executable?)"
    # trust on loopback: a dev-only cluster that listens on 127.0.0.1 and nowhere else; any password works.
    as_postgres "${PG_BIN}/initdb" -D "${data}" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"${RUN_DIR}/postgres-initdb.log" 2>&1 || die "postgres: initdb failed, see ${RUN_DIR}/postgres-initdb.log"
    log "postgres: initialised a new cluster in ${data}"
}

postgres_start() {
    local pid started
    if pid="$(running_pid postgres "$(pg_marker)")"; then
        log "postgres: already running, PID ${pid}, 127.0.0.1:${PG_PORT}"
    else
        die_if_port_taken postgres "${PG_PORT}"
        postgres_ensure_installed
        postgres_init
        touch "${RUN_DIR}/postgres.log"
        [[ "$(id -u)" == 0 ]] && chown postgres:postgres "${RUN_DIR}/postgres.log"
        started=$(now_ms)
        # No Unix socket: everything goes through 127.0.0.1, and /var/run/postgresql may not exist.
        as_postgres "${PG_BIN}/pg_ctl" -D "$(pg_data)" -l "${RUN_DIR}/postgres.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p ${PG_PORT} -c unix_socket_directories='' -c timezone=UTC" start >/dev/null \
            || die "postgres: pg_ctl start failed; last lines of ${RUN_DIR}/postgres.log:
$(tail -n 5 "${RUN_DIR}/postgres.log" | sed 's/^/    /')"
        head -n 1 "$(pg_data)/postmaster.pid" > "${RUN_DIR}/postgres.pid"
        log "postgres: ready in $(( $(now_ms) - started )) ms, PID $(cat "${RUN_DIR}/postgres.pid"), 127.0.0.1:${PG_PORT}"
    fi
    postgres_create_database
    postgres_apply_scripts
}

postgres_create_database() {
    if [[ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${PG_DATABASE}'")" != 1 ]]; then
        pg_psql -d postgres -c "CREATE DATABASE ${PG_DATABASE}"
        log "postgres: created database ${PG_DATABASE}"
    fi
}

# Applies infra/postgres/*.sql in name order, each in one transaction. A script runs again only when its
# content changed (sha256 recorded in devstack_applied_scripts), so non-idempotent scripts are safe too.
postgres_apply_scripts() {
    local script name sha applied
    pg_psql -d "${PG_DATABASE}" -c "CREATE TABLE IF NOT EXISTS devstack_applied_scripts (
        name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    for script in "${REPO_ROOT}"/infra/postgres/*.sql; do
        [[ -f "${script}" ]] || continue
        name="$(basename "${script}")"
        sha="$(sha256sum "${script}" | cut -d' ' -f1)"
        applied="$(pg_psql -d "${PG_DATABASE}" -tAc "SELECT sha256 FROM devstack_applied_scripts WHERE name = '${name}'")"
        [[ "${applied}" == "${sha}" ]] && continue
        pg_psql -d "${PG_DATABASE}" -1 -f "${script}" || die "postgres: applying infra/postgres/${name} failed"
        pg_psql -d "${PG_DATABASE}" -c "INSERT INTO devstack_applied_scripts (name, sha256) VALUES ('${name}', '${sha}')
            ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()"
        log "postgres: applied infra/postgres/${name}"
    done
}

# SIGINT is PostgreSQL's "fast" shutdown: SIGTERM ("smart") would wait for pooled client connections to close.
postgres_stop() { stop_by_pid_file postgres INT "$(pg_marker)"; }

postgres_status() {
    local pid
    if pid="$(running_pid postgres "$(pg_marker)")"; then
        echo "postgres    running  PID ${pid}  Host=127.0.0.1;Port=${PG_PORT};Database=${PG_DATABASE};Username=postgres  data $(pg_data)"
    else
        echo "postgres    stopped"
    fi
}
