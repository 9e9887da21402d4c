#!/usr/bin/env bash
# Profiles the silo during one end-to-end benchmark run: runs bench/e2e.sh --keep, and once the load generator
# has been sending for --delay seconds, samples the silo's managed stacks (dotnet-trace,
# dotnet-sampled-thread-time, ~100 Hz) and runtime counters (dotnet-counters) for --duration seconds.
# Writes silo.speedscope.json and counters.csv into the run dir, then prints the top frames
# (bench/lib/top-frames.py) and the benchmark's JSON line.
#
# usage: bench/profile.sh [--delay 5] [--duration 12] [--counters-only] [-- e2e.sh arguments...]
# needs: dotnet tool install --global dotnet-trace / dotnet-counters (10.0.750501)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
DELAY=5; DURATION=12; TRACE=true
while [[ $# -gt 0 ]]; do
    case "$1" in
        --delay) DELAY="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --counters-only) TRACE=false; shift ;;
        --) shift; break ;;
        *) sed -n '2,10p' "$0" >&2; exit 2 ;;
    esac
done
TOOLS="${HOME}/.dotnet/tools"
[[ -x "${TOOLS}/dotnet-trace" && -x "${TOOLS}/dotnet-counters" ]] || {
    echo "install dotnet-trace and dotnet-counters first (dotnet tool install --global ...)" >&2; exit 1; }

OUT="$(mktemp -d /tmp/analytics-profile-XXXXXX)"
before="$(ls -d /tmp/analytics-bench-* 2>/dev/null | sort || true)"
bench/e2e.sh --keep "$@" >"${OUT}/e2e.out" 2>"${OUT}/e2e.err" &
bench_pid=$!

# The run dir is the new /tmp/analytics-bench-* directory; wait for the load generator to start.
run_dir=""
for _ in $(seq 1 600); do
    run_dir="$(comm -13 <(echo "${before}") <(ls -d /tmp/analytics-bench-* 2>/dev/null | sort) | head -1 || true)"
    [[ -n "${run_dir}" && -f "${run_dir}/loadgen.pid" ]] && break
    kill -0 "${bench_pid}" 2>/dev/null || break
    sleep 0.5
done
[[ -n "${run_dir}" && -f "${run_dir}/silo-1.pid" ]] || { cat "${OUT}/e2e.err" >&2; wait "${bench_pid}"; exit 1; }
# silo-1.pid holds the subshell that exec'd dotnet: the same PID.
silo_pid="$(cat "${run_dir}/silo-1.pid")"
sleep "${DELAY}"
"${TOOLS}/dotnet-counters" collect -p "${silo_pid}" --format csv -o "${run_dir}/counters.csv" \
    --counters System.Runtime --refresh-interval 1 --duration "00:00:00:$(printf '%02d' "${DURATION}")" >/dev/null 2>&1 &
counters_pid=$!
# CPU per process over the same window (the stack's PID files live in its run dir).
procs=(silo="${silo_pid}" loadgen="$(cat "${run_dir}/loadgen.pid" 2>/dev/null || echo 0)")
for f in "${run_dir}"/stack/*.pid; do [[ -f "$f" ]] && procs+=("$(basename "$f" .pid)=$(cat "$f")"); done
python3 bench/lib/cpu-split.py "${DURATION}" "${procs[@]}" >"${run_dir}/cpu.txt" 2>&1 &
cpu_pid=$!
$TRACE && "${TOOLS}/dotnet-trace" collect -p "${silo_pid}" --profile dotnet-sampled-thread-time --format Speedscope \
    -o "${run_dir}/silo.nettrace" --duration "00:00:00:$(printf '%02d' "${DURATION}")" >"${run_dir}/trace.log" 2>&1 || true
wait "${counters_pid}" || true
wait "${cpu_pid}" || true
wait "${bench_pid}" || true
$TRACE && python3 bench/lib/top-frames.py "${run_dir}/silo.speedscope.json" >"${run_dir}/top-frames.txt"
echo "run dir: ${run_dir}" >&2
# Runtime counters averaged over the sampled window.
awk -F, 'NR > 1 && $3 ~ /pause.time|total_allocated|cpu.time|gc.collections|working_set/ { s[$3] += $5; n[$3]++ }
    END { for (k in s) printf "%-72s %14.3f\n", k, s[k] / n[k] }' "${run_dir}/counters.csv" | sort >&2
cat "${run_dir}/cpu.txt" >&2
[[ -f "${run_dir}/top-frames.txt" ]] && head -60 "${run_dir}/top-frames.txt" >&2
tail -1 "${OUT}/e2e.out"
