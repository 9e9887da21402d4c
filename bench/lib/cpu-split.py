"""Prints how many cores each process of a benchmark run used over a window.

usage: python3 cpu-split.py SECONDS NAME=PID [NAME=PID ...]
Reads utime+stime from /proc/PID/stat (and of its threads) at the start and end of the window.
"""
import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: str) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except OSError:
        return float("nan")


def machine() -> tuple[float, float]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / TICKS, idle / TICKS


seconds = float(sys.argv[1])
procs = dict(arg.split("=", 1) for arg in sys.argv[2:])
start = {name: cpu_seconds(pid) for name, pid in procs.items()}
m0 = machine()
time.sleep(seconds)
end = {name: cpu_seconds(pid) for name, pid in procs.items()}
m1 = machine()
total, idle = m1[0] - m0[0], m1[1] - m0[1]
cores = total / seconds
print(f"machine: {(total - idle) / seconds:.2f} of {cores:.0f} cores busy over {seconds:.0f} s")
for name in procs:
    print(f"  {name:12s} {(end[name] - start[name]) / seconds:5.2f} cores")
