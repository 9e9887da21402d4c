# The Kafka-protocol broker: librdkafka's mock cluster, run by Analytics.DevStack (in memory only).

readonly KAFKA_PORT=9092
readonly KAFKA_MARKER="Analytics.DevStack.dll kafka"

kafka_start() {
    local pid
    if pid="$(running_pid kafka "${KAFKA_MARKER}")"; then
        log "kafka: already running, PID ${pid}, 127.0.0.1:${KAFKA_PORT}"
        return 0
    fi
    die_if_port_taken kafka "${KAFKA_PORT}"
    ensure_devstack_built
    start_devstack kafka 60 kafka --port "${KAFKA_PORT}" --partitions "${PARTITIONS}" \
        --topics analytics-events,analytics-anomalies,analytics-events-dlq
}

kafka_stop() { stop_by_pid_file kafka TERM "${KAFKA_MARKER}"; }

kafka_status() {
    local pid
    if pid="$(running_pid kafka "${KAFKA_MARKER}")"; then
        echo "kafka       running  PID ${pid}  bootstrap 127.0.0.1:${KAFKA_PORT}"
    else
        echo "kafka       stopped"
    fi
}
