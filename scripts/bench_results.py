"""The hyperfine-style JSON the bench helper scripts (bench-terminal.py,
bench-latency.py) write for bench-report.py: one result per case, in seconds."""
import json, statistics, sys


def dump(times, cpu=None):
    """`times`: case name -> list of seconds; `cpu`, if given: case name -> list of
    (user, system) CPU seconds of each run, as hyperfine records them. Written to
    standard output."""
    results = []
    for name, t in times.items():
        result = {
            "command": name,
            "mean": statistics.mean(t),
            "stddev": statistics.stdev(t) if len(t) > 1 else 0.0,
            "median": statistics.median(t),
            "min": min(t),
            "max": max(t),
            "times": t,
        }
        if cpu is not None and cpu.get(name):
            result["user"] = statistics.mean(u for u, _ in cpu[name])
            result["system"] = statistics.mean(s for _, s in cpu[name])
        results.append(result)
    json.dump({"results": results}, sys.stdout, indent=2)
