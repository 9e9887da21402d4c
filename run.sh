#!/usr/bin/env bash
# Runs the product locally: the dev stack (Kafka mock, ClickHouse, PostgreSQL), N silos and the load generator.
# Ctrl-C stops everything this script started. See ./run.sh --help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(pwd)"
source infra/dev/lib/prerequisites.sh

RATE=1000; SILOS=1; PARTITIONS=8; LOAD=true; PERSISTENCE=Memory; DURATION=0; DASHBOARD=true
RUN_DIR="${ROOT}/.run/demo"; EXTRA_LOAD_ARGS=()

usage() {
    cat <<USAGE
usage: ./run.sh [options]        start the stack, silos and the load generator (Ctrl-C stops them)
       ./run.sh stop [--run-dir DIR]   stop what a previous ./run.sh started (by PID files)

options:
  --rate N            load generator events/s (default ${RATE}); see also --load-arg
  --no-load           do not start the load generator
  --no-dashboard      do not start the live dashboard (http://127.0.0.1:5080)
  --duration SECONDS  stop the load generator after this long (default 0 = until Ctrl-C)
  --silos N           silos in the cluster (default ${SILOS}); ports 11111+i, 30000+i, HTTP 8081+i
  --partitions N      Kafka partitions of analytics-events (default ${PARTITIONS}; a fresh broker only)
  --persistence M     grain state: Memory or AdoNet (PostgreSQL) (default ${PERSISTENCE})
  --load-arg ARG      extra load generator argument, repeatable (e.g. --load-arg --late-share=0.01)
  --run-dir DIR       where PID files and logs go (default .run/demo)
  -h, --help          this help
USAGE
}

stop_all() {
    local dir="$1"
    for pidfile in "${dir}"/loadgen.pid "${dir}"/dashboard.pid "${dir}"/silo-*.pid; do
        [[ -f "${pidfile}" ]] || continue
        local pid; pid="$(cat "${pidfile}")"
        if kill -0 "${pid}" 2>/dev/null; then
            kill -TERM "${pid}" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
            kill -0 "${pid}" 2>/dev/null && kill -KILL "${pid}" 2>/dev/null || true
        fi
        rm -f "${pidfile}"
    done
    infra/dev/stack.sh stop --run-dir "${dir}/stack" || true
}

if [[ "${1:-}" == "stop" ]]; then
    shift
    [[ "${1:-}" == "--run-dir" ]] && RUN_DIR="$2"
    stop_all "${RUN_DIR}"; exit 0
fi

while [[ $# -gt 0 ]]; do
    case "$1" in
        --rate) RATE="$2"; shift 2 ;;
        --no-load) LOAD=false; shift ;;
        --no-dashboard) DASHBOARD=false; shift ;;
        --duration) DURATION="$2"; shift 2 ;;
        --silos) SILOS="$2"; shift 2 ;;
        --partitions) PARTITIONS="$2"; shift 2 ;;
        --persistence) PERSISTENCE="$2"; shift 2 ;;
        --load-arg) EXTRA_LOAD_ARGS+=("$2"); shift 2 ;;
        --run-dir) RUN_DIR="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; fail "unknown option $1" ;;
    esac
done
[[ "${SILOS}" =~ ^[1-9][0-9]?$ ]] || fail "--silos must be 1-99, was ${SILOS}"
[[ "${RATE}" =~ ^[0-9]+$ ]] || fail "--rate must be a non-negative integer, was ${RATE}"
[[ "${PERSISTENCE}" == Memory || "${PERSISTENCE}" == AdoNet ]] || fail "--persistence must be Memory or AdoNet"

ensure_dotnet; ensure_postgres; ensure_chdb
mkdir -p "${RUN_DIR}"
RUN_DIR="$(cd "${RUN_DIR}" && pwd)"

step "building (Release)"
dotnet build Analytics.sln -c Release -nologo -clp:ErrorsOnly >/dev/null

step "starting the dev stack"
infra/dev/stack.sh start --run-dir "${RUN_DIR}/stack" --partitions "${PARTITIONS}"

trap 'echo; step "stopping"; stop_all "${RUN_DIR}"; exit 0' INT TERM

SILO_DLL="${ROOT}/src/Analytics.Silo/bin/Release/net10.0/Analytics.Silo.dll"
for i in $(seq 1 "${SILOS}"); do
    offset=$((i - 1))
    step "starting silo ${i}"
    (cd "${ROOT}/src/Analytics.Silo" && exec dotnet "${SILO_DLL}" \
        --Silo:SiloPort=$((11111 + offset)) --Silo:GatewayPort=$((30000 + offset)) --Silo:PrimarySiloPort=11111 \
        --Silo:Persistence="${PERSISTENCE}" --Urls="http://127.0.0.1:$((8081 + offset))" \
        >"${RUN_DIR}/silo-${i}.log" 2>&1) &
    echo $! >"${RUN_DIR}/silo-${i}.pid"
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$((8081 + offset))/healthz" >/dev/null 2>&1 && break
        kill -0 "$(cat "${RUN_DIR}/silo-${i}.pid")" 2>/dev/null || { tail -20 "${RUN_DIR}/silo-${i}.log" >&2; fail "silo ${i} exited; log: ${RUN_DIR}/silo-${i}.log"; }
        sleep 0.5
    done
    curl -sf "http://127.0.0.1:$((8081 + offset))/healthz" >/dev/null || fail "silo ${i} not healthy after 60 s; log: ${RUN_DIR}/silo-${i}.log"
done

DASHBOARD_URL="http://127.0.0.1:5080"
if $DASHBOARD; then
    step "starting the dashboard on ${DASHBOARD_URL}"
    (exec 3<>/dev/tcp/127.0.0.1/5080) 2>/dev/null && fail "port 5080 is taken: stop what listens there, or use --no-dashboard"
    gateways=()
    for i in $(seq 1 "${SILOS}"); do gateways+=("--AnalyticsClient:GatewayPorts:$((i - 1))=$((30000 + i - 1))"); done
    (cd "${ROOT}/src/Analytics.Dashboard" && exec dotnet "${ROOT}/src/Analytics.Dashboard/bin/Release/net10.0/Analytics.Dashboard.dll" \
        --urls "${DASHBOARD_URL}" "${gateways[@]}" >"${RUN_DIR}/dashboard.log" 2>&1) &
    echo $! >"${RUN_DIR}/dashboard.pid"
    for _ in $(seq 1 60); do
        curl -sf "${DASHBOARD_URL}/healthz" >/dev/null 2>&1 && break
        kill -0 "$(cat "${RUN_DIR}/dashboard.pid")" 2>/dev/null || { tail -20 "${RUN_DIR}/dashboard.log" >&2; fail "the dashboard exited; log: ${RUN_DIR}/dashboard.log"; }
        sleep 0.5
    done
    curl -sf "${DASHBOARD_URL}/healthz" >/dev/null || fail "the dashboard did not answer within 30 s; log: ${RUN_DIR}/dashboard.log"
fi

if $LOAD; then
    step "starting the load generator at ${RATE} events/s"
    dotnet "${ROOT}/src/Analytics.LoadGenerator/bin/Release/net10.0/Analytics.LoadGenerator.dll" \
        --rate "${RATE}" --duration "${DURATION}" --record "${RUN_DIR}/loadgen-record.json" "${EXTRA_LOAD_ARGS[@]}" \
        >"${RUN_DIR}/loadgen.log" 2>&1 &
    echo $! >"${RUN_DIR}/loadgen.pid"
fi

cat <<INFO

  Running. Ctrl-C stops everything this script started.

  Dashboard      ${DASHBOARD_URL}   (live; JSON API under /api: top-pages, pages/{page}, overview, anomalies)

  ClickHouse     http://127.0.0.1:8123   (user default, no password)
  Sample query   curl -s http://127.0.0.1:8123/ --data-binary "SELECT page, count() AS views, uniqExact(user_id) AS unique_visitors FROM analytics.page_views WHERE timestamp >= now() - INTERVAL 5 MINUTE GROUP BY page ORDER BY views DESC LIMIT 10"
  Rollups        curl -s http://127.0.0.1:8123/ --data-binary "SELECT page, minute, views, unique_visitors FROM analytics.page_views_1m FINAL ORDER BY minute DESC, views DESC LIMIT 10"
  Silo HTTP      http://127.0.0.1:8081/healthz  /metrics  /stats
  Kafka          127.0.0.1:9092 (topic analytics-events, ${PARTITIONS} partitions)
  PostgreSQL     127.0.0.1:5432 (database analytics)
  Logs and PIDs  ${RUN_DIR}

INFO

# Stay in the foreground until Ctrl-C (or until every silo has exited).
while true; do
    alive=false
    for pidfile in "${RUN_DIR}"/silo-*.pid; do kill -0 "$(cat "${pidfile}")" 2>/dev/null && alive=true; done
    $alive || { step "all silos exited (see ${RUN_DIR}/silo-*.log)"; stop_all "${RUN_DIR}"; exit 1; }
    sleep 1
done
