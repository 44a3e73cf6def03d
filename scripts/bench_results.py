"""The hyperfine-style JSON the bench helper scripts (bench-terminal.py,
bench-latency.py) write for bench-report.py: one result per case, in seconds."""
import json, statistics, sys


def dump(times):
    """`times`: case name -> list of seconds. Written to standard output."""
    results = []
    for name, t in times.items():
        results.append({
            "command": name,
            "mean": statistics.mean(t),
            "stddev": statistics.stdev(t) if len(t) > 1 else 0.0,
            "median": statistics.median(t),
            "min": min(t),
            "max": max(t),
            "times": t,
        })
    json.dump({"results": results}, sys.stdout, indent=2)
