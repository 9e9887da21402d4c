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
fi

step "building (Release)"
dotnet build Analytics.sln -c Release -nologo -clp:ErrorsOnly

step "unit tests"
dotnet test tests/Analytics.UnitTests -c Release --no-build -nologo "$@"

if ! $unit_only; then
    step "integration tests"
    dotnet test tests/Analytics.IntegrationTests -c Release --no-build -nologo "$@"
fi
step "all tests passed"
