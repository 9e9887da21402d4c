#!/usr/bin/env bash
# The local dev stack on the fixed ports of the design's port contract:
#   Kafka (librdkafka mock) 127.0.0.1:9092, ClickHouse (chDB) HTTP 127.0.0.1:8123 / native 127.0.0.1:9000,
#   PostgreSQL 15 127.0.0.1:5432 (database `analytics`, user postgres, trust auth on loopback).
#
# usage: infra/dev/stack.sh start|stop|status [--run-dir DIR] [--partitions N]
#   start   starts what is not running yet (idempotent) and waits until each is ready
#   stop    stops what this script started, by PID file only
#   status  shows what runs
# PID files, logs and data live in the run dir (default <repo>/.run/stack). Kafka keeps data in memory only;
# ClickHouse and PostgreSQL data survive stop/start.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${REPO_ROOT}/.run/stack"
PARTITIONS=8

source "${REPO_ROOT}/infra/dev/lib/common.sh"
source "${REPO_ROOT}/infra/dev/lib/kafka.sh"
source "${REPO_ROOT}/infra/dev/lib/clickhouse.sh"
source "${REPO_ROOT}/infra/dev/lib/postgres.sh"

usage() { sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 ]] || usage
COMMAND="$1"; shift
while [[ $# -gt 0 ]]; do
    case "$1" in
        --run-dir) [[ $# -ge 2 ]] || usage; RUN_DIR="$2"; shift 2 ;;
        --partitions) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--partitions needs a positive integer"; PARTITIONS="$2"; shift 2 ;;
        *) usage ;;
    esac
done

mkdir -p "${RUN_DIR}"
RUN_DIR="$(cd "${RUN_DIR}" && pwd)"

case "${COMMAND}" in
    start)
        kafka_start
        clickhouse_start
        postgres_start
        log "stack ready (logs in ${RUN_DIR})"
        ;;
    stop)
        postgres_stop
        clickhouse_stop
        kafka_stop
        ;;
    status)
        kafka_status
        clickhouse_status
        postgres_status
        ;;
    *) usage ;;
esac
