# Shared helpers for stack.sh: logging, PID files, ports, readiness waits. Sourced, not executed.

log() { echo "[stack] $*" >&2; }
die() { echo "[stack] error: $*" >&2; exit 1; }

# Seconds since the epoch with milliseconds, for readiness timings.
now_ms() { date +%s%3N; }

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp: no extra tools needed).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Describes the owner of a port for error messages, when ss is available.
port_owner() { command -v ss >/dev/null && ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' || true; }

die_if_port_taken() { # name port
    if port_in_use "$2"; then
        die "$1: port 127.0.0.1:$2 is already in use by another process (not ours: no PID file):
$(port_owner "$2")"
    fi
}

# True while PID $1 runs. A zombie (exited, not yet reaped by PID 1) counts as gone.
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# Prints the PID recorded in $RUN_DIR/$1.pid when that process is alive and its command line still contains
# $2 (guards against a stale PID file whose PID was reused by an unrelated process). Fails otherwise.
running_pid() { # name cmdline-marker
    local pid_file="${RUN_DIR}/$1.pid" pid
    [[ -f "${pid_file}" ]] || return 1
    pid="$(cat "${pid_file}")"
    [[ "${pid}" =~ ^[0-9]+$ ]] && alive "${pid}" || return 1
    tr '\0' ' ' < "/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
    echo "${pid}"
}

# Polls until $1 (a command) succeeds; fails after $2 seconds or as soon as PID $3 (optional) has exited.
wait_until() { # command timeout-seconds [pid]
    local deadline=$(( $(date +%s) + $2 ))
    until eval "$1"; do
        if [[ -n "${3:-}" ]] && ! alive "$3"; then return 1; fi
        (( $(date +%s) < deadline )) || return 1
        sleep 0.1 # poll interval, not a synchronisation delay
    done
}

# Sends $2 (TERM/INT) to the PID in $RUN_DIR/$1.pid and waits for it to exit; SIGKILL after 30 s.
stop_by_pid_file() { # name signal cmdline-marker
    local pid
    if ! pid="$(running_pid "$1" "$3")"; then
        rm -f "${RUN_DIR}/$1.pid"
        log "$1: not running"
        return 0
    fi
    local started; started=$(now_ms)
    kill "-$2" "${pid}"
    if ! wait_until "! alive ${pid}" 30; then
        log "$1: PID ${pid} still alive 30 s after SIG$2, sending SIGKILL"
        kill -KILL "${pid}" 2>/dev/null || true
        wait_until "! alive ${pid}" 10 || die "$1: PID ${pid} survived SIGKILL"
    fi
    rm -f "${RUN_DIR}/$1.pid"
    log "$1: stopped PID ${pid} in $(( $(now_ms) - started )) ms"
}

# Builds Analytics.DevStack (Release) when its dll is missing or older than any of its sources.
ensure_devstack_built() {
    local project_dir="${REPO_ROOT}/src/Analytics.DevStack"
    DEVSTACK_DLL="${project_dir}/bin/Release/net10.0/Analytics.DevStack.dll"
    if [[ -f "${DEVSTACK_DLL}" ]] && [[ -z "$(find "${project_dir}" "${REPO_ROOT}/Directory.Packages.props" "${REPO_ROOT}/Directory.Build.props" \
            -newer "${DEVSTACK_DLL}" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]]; then
        return 0
    fi
    command -v dotnet >/dev/null || die "dotnet is not on PATH (the .NET 10 SDK is required to build src/Analytics.DevStack)"
    log "building src/Analytics.DevStack (Release)..."
    dotnet build "${project_dir}" -c Release -nologo -v quiet >"${RUN_DIR}/devstack-build.log" 2>&1 \
        || die "building src/Analytics.DevStack failed, see ${RUN_DIR}/devstack-build.log"
}

# Starts an Analytics.DevStack subcommand detached from this shell and waits for its READY line.
start_devstack() { # name timeout-seconds args...
    local name="$1" timeout="$2"; shift 2
    local out="${RUN_DIR}/${name}.ready" err="${RUN_DIR}/${name}.log" started pid
    : > "${out}"
    started=$(now_ms)
    # setsid: not killed by a Ctrl-C in the terminal that ran `stack.sh start`.
    setsid dotnet "${DEVSTACK_DLL}" "$@" </dev/null >"${out}" 2>>"${err}" &
    pid=$!
    echo "${pid}" > "${RUN_DIR}/${name}.pid"
    if ! wait_until "grep -q '^READY ' '${out}'" "${timeout}" "${pid}"; then
        kill -TERM "${pid}" 2>/dev/null || true
        rm -f "${RUN_DIR}/${name}.pid"
        die "${name} did not become ready; last lines of ${err}:
$(tail -n 5 "${err}" | sed 's/^/    /')"
    fi
    log "${name}: ready in $(( $(now_ms) - started )) ms, PID ${pid}, $(cat "${out}")"
}
