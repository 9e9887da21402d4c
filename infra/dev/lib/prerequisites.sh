# Checks (and where possible installs) what building, testing and running need. Sourced by test.sh and run.sh.
# Each ensure_* is idempotent and fails with a message that says how to get the missing piece.

step() { printf '\n==> %s\n' "$*" >&2; }

fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd; }

apt_install() {
    command -v apt-get >/dev/null || fail "apt-get is not available; install $* by hand."
    [[ $(id -u) -eq 0 ]] || fail "installing $* needs root (apt-get); run as root or install it by hand."
    step "installing $* (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_dotnet() {
    command -v dotnet >/dev/null || fail "the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH."
}

ensure_postgres() {
    if [[ ! -x /usr/lib/postgresql/15/bin/initdb ]]; then
        apt_install postgresql-15 || apt_install postgresql
    fi
    [[ -x /usr/lib/postgresql/15/bin/initdb ]] || fail "PostgreSQL 15 binaries not found in /usr/lib/postgresql/15/bin (apt-get install postgresql-15)."
    id postgres >/dev/null 2>&1 || fail "the 'postgres' OS user is missing (it comes with the postgresql package)."
}

ensure_chdb() {
    local root; root="$(repo_root)"
    if [[ ! -s "${root}/.cache/chdb/libchdb.so" ]]; then
        command -v npm >/dev/null || apt_install npm
        step "fetching ClickHouse engine (chDB 26.7) into .cache/chdb"
        "${root}/infra/dev/fetch-chdb.sh"
    fi
}

# Headless Chromium for the dashboard's browser test (driven by Playwright through /usr/bin/chromium; Playwright's
# own browser download cannot work on these machines).
ensure_chromium() {
    if [[ ! -x /usr/bin/chromium ]]; then
        apt_install chromium
    fi
    [[ -x /usr/bin/chromium ]] || fail "Chromium not found at /usr/bin/chromium (apt-get install chromium)."
}
