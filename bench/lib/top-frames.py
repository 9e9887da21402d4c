"""Summarises a dotnet-trace speedscope file (dotnet-sampled-thread-time): where the silo spent CPU.

Only time whose leaf pseudo-frame is CPU_TIME counts (the sampler also records blocked threads as
UNMANAGED_CODE_TIME). Prints CPU per thread, then the top frames by exclusive and inclusive CPU time, in
percent of all CPU time sampled. Frames matching --focus restrict the inclusive table to stacks through them.

usage: python3 top-frames.py FILE.speedscope.json [--top 40] [--focus SUBSTRING]
"""
import argparse
import collections
import json
import re


def short(name: str) -> str:
    name = re.sub(r"\(.*\)$", "", name)  # drop parameter lists
    return name[:150]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--focus", default=None)
    args = ap.parse_args()
    data = json.load(open(args.file))
    frames = [short(f["name"]) for f in data["shared"]["frames"]]
    cpu_leaf = {i for i, f in enumerate(frames) if f == "CPU_TIME"}
    inclusive = collections.Counter()
    exclusive = collections.Counter()
    per_thread = collections.Counter()
    total = 0.0
    for profile in data["profiles"]:
        stack: list[int] = []
        last = profile["startValue"]
        for event in profile["events"]:
            at = event["at"]
            if stack and stack[-1] in cpu_leaf and at > last:
                duration = at - last
                names = [frames[i] for i in stack[:-1]]
                if args.focus is None or any(args.focus in n for n in names):
                    total += duration
                    per_thread[profile["name"]] += duration
                    if names:
                        exclusive[names[-1]] += duration
                    for n in set(names):
                        inclusive[n] += duration
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
    seconds = max(p["endValue"] - p["startValue"] for p in data["profiles"]) / 1000
    print(f"CPU time sampled: {total / 1000:.1f} s over {seconds:.1f} s ({total / 1000 / seconds:.2f} cores)"
          + (f", stacks through '{args.focus}'" if args.focus else ""))
    print("\n== CPU by thread")
    for name, ms in per_thread.most_common(12):
        print(f"{100 * ms / total:6.1f}%  {name}")
    print("\n== exclusive (self) CPU")
    for name, ms in exclusive.most_common(args.top):
        print(f"{100 * ms / total:6.1f}%  {name}")
    print("\n== inclusive CPU")
    for name, ms in inclusive.most_common(args.top + 20):
        print(f"{100 * ms / total:6.1f}%  {name}")


if __name__ == "__main__":
    main()
