#!/usr/bin/env bash
# One-shot topic set-up for docker-compose.yml (service kafka-init, apache/kafka image): creates the topics of the
# Kafka topic contract (shared DESIGN.md) on the compose broker, checks them, and exits 0; the silos start only
# after it succeeded (depends_on: service_completed_successfully).
#
# Idempotent: it runs on every `docker compose up`. A missing topic is created; an existing one keeps its data, has
# its retention re-applied, and must have the configured partition count.
#
# Why a partition mismatch fails instead of being "fixed": one Kafka partition is one Orleans queue, and the silos are
# given the count (Kafka__Partitions) from the same variable. Adding partitions to a live topic moves keys (pages,
# sessions) to other partitions and breaks per-key ordering and the per-partition offsets grains store; that is a
# migration to plan, not something a start-up script does silently.
#
# Settings (environment of the kafka-init service; defaults = the dev stack's topics):
#   BOOTSTRAP_SERVERS      broker address inside the compose network          kafka:19092
#   REPLICATION_FACTOR     replicas per partition (1: single-node broker)     1
#   EVENTS_TOPIC / EVENTS_PARTITIONS / EVENTS_RETENTION_MS                    analytics-events / 8 / 7 days
#   ANOMALIES_TOPIC / ANOMALIES_PARTITIONS / ANOMALIES_RETENTION_MS           analytics-anomalies / 1 / 30 days
#   DLQ_TOPIC / DLQ_PARTITIONS / DLQ_RETENTION_MS                             analytics-events-dlq / 8 / 30 days
set -euo pipefail

BOOTSTRAP_SERVERS="${BOOTSTRAP_SERVERS:-kafka:19092}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-1}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
readonly DAY_MS=86400000

log() { echo "kafka-init: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

topics() { "${KAFKA_BIN}/kafka-topics.sh" --bootstrap-server "${BOOTSTRAP_SERVERS}" "$@"; }

require_positive_int() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, was '$2'"
}

# The broker is healthy before this runs (depends_on: service_healthy); retry anyway for a slow controller election.
wait_for_broker() {
    local attempt
    for attempt in $(seq 1 30); do
        if topics --list >/dev/null 2>&1; then
            log "broker ${BOOTSTRAP_SERVERS} is reachable"
            return 0
        fi
        log "waiting for broker ${BOOTSTRAP_SERVERS} (attempt ${attempt}/30)"
        sleep 2
    done
    die "broker ${BOOTSTRAP_SERVERS} not reachable"
}

# ensure_topic NAME PARTITIONS RETENTION_MS
ensure_topic() {
    local name="$1" partitions="$2" retention_ms="$3" description actual
    require_positive_int "partitions of ${name}" "${partitions}"
    require_positive_int "retention.ms of ${name}" "${retention_ms}"

    if ! grep -Fxq -- "${name}" <<<"${EXISTING_TOPICS}"; then
        log "creating ${name}: ${partitions} partitions, replication ${REPLICATION_FACTOR}, retention.ms=${retention_ms}"
        # --if-not-exists: another kafka-init run may have created it meanwhile.
        topics --create --if-not-exists --topic "${name}" --partitions "${partitions}" \
            --replication-factor "${REPLICATION_FACTOR}" --config "retention.ms=${retention_ms}" \
            --config cleanup.policy=delete >/dev/null
    else
        log "${name} exists; re-applying retention.ms=${retention_ms}"
        "${KAFKA_BIN}/kafka-configs.sh" --bootstrap-server "${BOOTSTRAP_SERVERS}" --alter \
            --entity-type topics --entity-name "${name}" \
            --add-config "retention.ms=${retention_ms},cleanup.policy=delete" >/dev/null
    fi

    description="$(topics --describe --topic "${name}")"
    actual="$(grep -o 'PartitionCount:[[:space:]]*[0-9]*' <<<"${description}" | head -n 1 | grep -o '[0-9]*$' || true)"
    [[ -n "${actual}" ]] || die "could not read the partition count of ${name}:
${description}"
    if [[ "${actual}" != "${partitions}" ]]; then
        die "${name} has ${actual} partitions, the configuration says ${partitions}. Set the partition count variable
to ${actual} (the silos use it too), or migrate the topic deliberately; this script never repartitions."
    fi
    log "${name}: ${actual} partitions - ok"
}

wait_for_broker
EXISTING_TOPICS="$(topics --list)"

ensure_topic "${EVENTS_TOPIC:-analytics-events}" "${EVENTS_PARTITIONS:-8}" "${EVENTS_RETENTION_MS:-$((7 * DAY_MS))}"
ensure_topic "${ANOMALIES_TOPIC:-analytics-anomalies}" "${ANOMALIES_PARTITIONS:-1}" "${ANOMALIES_RETENTION_MS:-$((30 * DAY_MS))}"
ensure_topic "${DLQ_TOPIC:-analytics-events-dlq}" "${DLQ_PARTITIONS:-8}" "${DLQ_RETENTION_MS:-$((30 * DAY_MS))}"

log "all topics ready"
