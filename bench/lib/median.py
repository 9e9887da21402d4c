"""Reads one JSON result per line and prints one JSON object: the median of every numeric field."""
import json
import statistics
import sys

runs = [json.loads(line) for line in sys.stdin if line.strip()]
out = {}
for key in runs[0]:
    values = [r[key] for r in runs]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        m = statistics.median(values)
        out[key] = round(m, 1) if isinstance(m, float) else m
    else:
        out[key] = values[0]
out["runs"] = len(runs)
print(json.dumps(out))
