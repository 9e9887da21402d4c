# ClickHouse: chDB (ClickHouse as a library) in server mode, run by Analytics.DevStack; data in the run dir.

readonly CLICKHOUSE_HTTP_PORT=8123
readonly CLICKHOUSE_TCP_PORT=9000
readonly CLICKHOUSE_MARKER="Analytics.DevStack.dll clickhouse"

clickhouse_start() {
    local pid lib="${REPO_ROOT}/.cache/chdb/libchdb.so"
    if pid="$(running_pid clickhouse "${CLICKHOUSE_MARKER}")"; then
        log "clickhouse: already running, PID ${pid}, http 127.0.0.1:${CLICKHOUSE_HTTP_PORT}"
        return 0
    fi
    [[ -f "${lib}" ]] || die "clickhouse: ${lib} is missing; run infra/dev/fetch-chdb.sh first"
    die_if_port_taken "clickhouse http" "${CLICKHOUSE_HTTP_PORT}"
    die_if_port_taken "clickhouse tcp" "${CLICKHOUSE_TCP_PORT}"
    ensure_devstack_built
    start_devstack clickhouse 120 clickhouse --lib "${lib}" --path "${RUN_DIR}/clickhouse" \
        --http-port "${CLICKHOUSE_HTTP_PORT}" --tcp-port "${CLICKHOUSE_TCP_PORT}"
}

clickhouse_stop() { stop_by_pid_file clickhouse TERM "${CLICKHOUSE_MARKER}"; }

clickhouse_status() {
    local pid
    if pid="$(running_pid clickhouse "${CLICKHOUSE_MARKER}")"; then
        echo "clickhouse  running  PID ${pid}  http 127.0.0.1:${CLICKHOUSE_HTTP_PORT}  tcp 127.0.0.1:${CLICKHOUSE_TCP_PORT}  data ${RUN_DIR}/clickhouse"
    else
        echo "clickhouse  stopped"
    fi
}
