#!/usr/bin/env bash
# One benchmark run in its own run dir; prints one JSON line. Stops everything it started, by PID.
set -euo pipefail
RUN_DIR="$1"; RATE="$2"; SECONDS_="$3"; SILOS="$4"; PARTITIONS="$5"; PERSISTENCE="$6"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CH="http://127.0.0.1:8123/"
RUN_ID="bench-$(date +%s)"
PREFIX="/${RUN_ID}"

cleanup() {
    for pidfile in "${RUN_DIR}"/loadgen.pid "${RUN_DIR}"/silo-*.pid; do
        [[ -f "${pidfile}" ]] || continue
        pid="$(cat "${pidfile}")"; kill -TERM "${pid}" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${pid}" 2>/dev/null || true
    done
    "${ROOT}/infra/dev/stack.sh" stop --run-dir "${RUN_DIR}/stack" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${ROOT}/infra/dev/stack.sh" start --run-dir "${RUN_DIR}/stack" --partitions "${PARTITIONS}" >&2
sql() { curl -sf "${CH}" --data-binary "$1"; }

for i in $(seq 1 "${SILOS}"); do
    o=$((i - 1))
    (cd "${ROOT}/src/Analytics.Silo" && exec dotnet "${ROOT}/src/Analytics.Silo/bin/Release/net10.0/Analytics.Silo.dll" \
        --Silo:SiloPort=$((11111 + o)) --Silo:GatewayPort=$((30000 + o)) --Silo:Persistence="${PERSISTENCE}" \
        --Urls="http://127.0.0.1:$((8081 + o))" --Logging:LogLevel:Default=Warning ${SILO_ARGS:-} >"${RUN_DIR}/silo-${i}.log" 2>&1) &
    echo $! >"${RUN_DIR}/silo-${i}.pid"
done
for i in $(seq 1 "${SILOS}"); do
    for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$((8080 + i))/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$((8080 + i))/healthz" >/dev/null || { tail -20 "${RUN_DIR}/silo-${i}.log" >&2; exit 1; }
done
# The schema exists once a silo is healthy; wait for the table anyway (migration runs at start-up).
for _ in $(seq 1 120); do sql "EXISTS TABLE analytics.page_views_1m" 2>/dev/null | grep -q 1 && break; sleep 0.5; done
for i in $(seq 1 "${SILOS}"); do curl -sf -X POST "http://127.0.0.1:$((8080 + i))/stats/reset" >/dev/null; done

start_ns=$(date +%s%N)
dotnet "${ROOT}/src/Analytics.LoadGenerator/bin/Release/net10.0/Analytics.LoadGenerator.dll" \
    --rate "${RATE}" --duration "${SECONDS_}" --page-prefix "${PREFIX}" --run-id "${RUN_ID}" \
    --event-mix 0 --record "${RUN_DIR}/record.json" --quiet >"${RUN_DIR}/loadgen.log" 2>&1 &
echo $! >"${RUN_DIR}/loadgen.pid"
wait "$(cat "${RUN_DIR}/loadgen.pid")" || { cat "${RUN_DIR}/loadgen.log" >&2; exit 1; }
rm -f "${RUN_DIR}/loadgen.pid"

read -r sent delivered loadgen_rate < <(python3 - "${RUN_DIR}/record.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
print(t["page_views_on_time"], t["delivered"], round(t["delivered"] / max(r["send_seconds"], 1e-9)))
PY
)

# Throughput: until the raw archive holds every delivered event of this run.
archived=0
for _ in $(seq 1 1200); do
    archived="$(sql "SELECT count() FROM analytics.page_views WHERE page LIKE '${PREFIX}/%'" || echo 0)"
    [[ "${archived}" -ge "${delivered}" ]] && break
    sleep 0.25
done
end_ns=$(date +%s%N)
eps=$(python3 -c "print(round(${archived} / ((${end_ns} - ${start_ns}) / 1e9)))")

# Rollups: windows become final by the wall-clock rule at the latest; wait for all views or a deadline.
counted=0
for _ in $(seq 1 400); do
    counted="$(sql "SELECT sum(views) FROM analytics.page_views_1m FINAL WHERE page LIKE '${PREFIX}/%'" || echo 0)"
    [[ "${counted}" -ge "${sent}" ]] && break
    sleep 0.5
done

latency="$(for i in $(seq 1 "${SILOS}"); do curl -sf "http://127.0.0.1:$((8080 + i))/stats"; echo; done | python3 -c '
import json, sys
stats = [json.loads(l)["visibility_latency"] for l in sys.stdin if l.strip()]
# Count-weighted: exact when one silo; an upper-bound-ish merge otherwise (max of per-silo percentiles).
print(max(s["p50_ms"] for s in stats), max(s["p99_ms"] for s in stats))')"
read -r p50 p99 <<<"${latency}"

printf '{"events_per_second": %s, "p50_ms": %s, "p99_ms": %s, "events_sent": %s, "events_counted": %s, "events_delivered": %s, "loadgen_events_per_second": %s, "rate": %s, "seconds": %s, "silos": %s, "persistence": "%s"}\n' \
    "${eps}" "${p50}" "${p99}" "${sent}" "${counted}" "${delivered}" "${loadgen_rate}" "${RATE}" "${SECONDS_}" "${SILOS}" "${PERSISTENCE}"
