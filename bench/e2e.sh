#!/usr/bin/env bash
# End-to-end benchmark: a private dev stack, N silos and the load generator at a fixed rate; then measures
#   events_per_second  events delivered to Kafka / seconds from the first send until the archive held them all
#   p50_ms, p99_ms     production -> visibility in live grain state (silo latency histograms, merged)
#   events_sent        on-time, well-formed page views the load generator got acknowledged
#   events_counted     views summed over analytics.page_views_1m FINAL for this run's pages
# The last line printed is one JSON object (medians over --runs). Not a test: it never fails on slowness.
#
# usage: bench/e2e.sh [--rate 50000] [--seconds 60] [--runs 1] [--silos 1] [--partitions 8]
#                     [--persistence Memory|AdoNet] [--silo-arg --Section:Key=Value ...] [--keep]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
source infra/dev/lib/prerequisites.sh

RATE=50000; SECONDS_=60; RUNS=1; SILOS=1; PARTITIONS=8; PERSISTENCE=Memory; KEEP=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rate) RATE="$2"; shift 2 ;;
        --seconds) SECONDS_="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --silos) SILOS="$2"; shift 2 ;;
        --partitions) PARTITIONS="$2"; shift 2 ;;
        --persistence) PERSISTENCE="$2"; shift 2 ;;
        --keep) KEEP=true; shift ;;
        --silo-arg) export SILO_ARGS="${SILO_ARGS:-} $2"; shift 2 ;;
        *) sed -n '2,12p' "$0" >&2; exit 2 ;;
    esac
done
ensure_dotnet; ensure_chdb; [[ "${PERSISTENCE}" == AdoNet ]] && ensure_postgres
step "building (Release)"
dotnet build Analytics.sln -c Release -nologo -clp:ErrorsOnly >/dev/null

RESULTS=()
for run in $(seq 1 "${RUNS}"); do
    RUN_DIR="$(mktemp -d /tmp/analytics-bench-XXXXXX)"; chmod 755 "${RUN_DIR}"  # postgres runs as its own user
    step "run ${run}/${RUNS} (rate ${RATE}/s for ${SECONDS_} s, ${SILOS} silo(s), ${PERSISTENCE}) in ${RUN_DIR}"
    result="$(bench/lib/run-once.sh "${RUN_DIR}" "${RATE}" "${SECONDS_}" "${SILOS}" "${PARTITIONS}" "${PERSISTENCE}")"
    echo "run ${run}: ${result}" >&2
    RESULTS+=("${result}")
    $KEEP || rm -rf "${RUN_DIR}"
done
printf '%s\n' "${RESULTS[@]}" | python3 bench/lib/median.py
