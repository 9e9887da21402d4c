#!/usr/bin/env bash
# Runs every test: unit tests, then integration tests against real protocol peers (librdkafka's Kafka mock
# broker, a chDB ClickHouse server, PostgreSQL 15), each started by the tests themselves on ephemeral ports.
# Fetches or installs what is missing first. Usage: ./test.sh [--unit-only] [extra `dotnet test` arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source infra/dev/lib/prerequisites.sh

unit_only=false
if [[ "${1:-}" == "--unit-only" ]]; then unit_only=true; shift; fi

ensure_dotnet
if ! $unit_only; then
    ensure_postgres
    ensure_chdb
    ensure_chromium
fi

summary="$(mktemp)"
trap 'rm -f "${summary}"' EXIT
# Runs one test project, keeping its result line for the closing summary.
run_tests() {
    dotnet test "$1" -c Release --no-build -nologo "${@:2}" | tee -a "${summary}"
    return "${PIPESTATUS[0]}"
}

step "building (Release)"
dotnet build Analytics.sln -c Release -nologo -clp:ErrorsOnly

step "unit tests"
run_tests tests/Analytics.UnitTests "$@"

if ! $unit_only; then
    step "integration tests"
    run_tests tests/Analytics.IntegrationTests "$@"
fi
step "all tests passed"
# One plain closing line over every project: "N passed, N failed".
grep -hoE 'Failed: +[0-9]+, Passed: +[0-9]+' "${summary}" | awk '{gsub(",", ""); f += $2; p += $4} END {printf "%d passed, %d failed\n", p, f}'
