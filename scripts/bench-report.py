"""Tables and ratios from scripts/bench's raw results.

usage: bench-report.py RAW_DIR OUT_DIR
Writes OUT_DIR/results.json and OUT_DIR/README.md and prints the table.
"""
import json, os, platform, sys

raw_dir, out_dir = sys.argv[1], sys.argv[2]
GROUPS = ["launch", "scripts", "pipeline", "io", "build", "slots", "mediated", "terminal", "latency", "network"]

results = {}
for group in GROUPS:
    path = os.path.join(raw_dir, f"{group}.json")
    if not os.path.exists(path):
        continue
    results[group] = {
        r["command"]: {k: (r.get(k) or 0) * 1000
                       for k in ("median", "mean", "stddev", "min", "max", "user", "system")}
        | {"runs": len(r["times"])}
        for r in json.load(open(path))["results"]
    }


def ms(group, name):
    return results.get(group, {}).get(name, {}).get("median")


def ratio(group, a, b):
    x, y = ms(group, a), ms(group, b)
    return None if x is None or y is None else x / y


ratios = {
    "pola-run / bwrap (launch)": (ratio("launch", "pola-run -- true", "bwrap (comparable)"), 0.5),
    "floor (namespaces + exec, C) / bwrap": (
        ratio("launch", "floor: namespaces + exec (C)", "bwrap (comparable)"), None),
    "floor (+ 30 binds, C) / bwrap": (
        ratio("launch", "floor: namespaces + 30 binds + exec (C)", "bwrap (comparable)"), None),
    "pola-run / sh -c true (launch)": (ratio("launch", "pola-run -- true", "sh -c true"), None),
    "pola-sh -c true / sh -c true": (ratio("launch", "pola-sh -c true", "sh -c true"), None),
    "pola-run, a 10,050-line written record / a new one": (
        ratio("launch", "env: pola-run -- true, 10,050-line record", "env: pola-run -- true"), None),
    "pola-sh -c /usr/bin/true / bwrap": (
        ratio("launch", "pola-sh -c /usr/bin/true", "bwrap (comparable)"), None),
    "pola-sh -c, two commands / one": (
        ratio("launch", "pola-sh -c, two commands", "pola-sh -c /usr/bin/true"), None),
    "pola-sh / dash, 500 cat": (ratio("scripts", "pola-sh: 500 x cat", "dash: 500 x cat"), 3.0),
    "hints on / off, 500 cat": (
        ratio("scripts", "pola-sh --hints: 500 x cat", "pola-sh: 500 x cat"), 1.05),
    "hints on / off, make -j2": (
        ratio("build", "jailed --hints: make -j2, 121 C files", "jailed: make -j2, 121 C files"), 1.05),
    "warm-jail floor (C) / dash, 500 cat": (
        ratio("scripts", "floor: warm jail, 500 x cat (C)", "dash: 500 x cat"), None),
    "warm-jail floor + Landlock + seccomp (C) / dash, 500 cat": (
        ratio("scripts", "floor: warm jail + Landlock + seccomp, 500 x cat (C)",
              "dash: 500 x cat"), None),
    "warm-jail floor locked ahead (carrier) + Landlock + seccomp (C) / dash, 500 cat": (
        ratio("scripts", "floor: warm jail locked ahead, grant by a carrier, + Landlock + seccomp, "
              "500 x cat (C)", "dash: 500 x cat"), None),
    "pola-sh / warm-jail floor (C), 500 cat": (
        ratio("scripts", "pola-sh: 500 x cat", "floor: warm jail, 500 x cat (C)"), None),
    "pola-sh / dash, 200 x=$(cat)": (
        ratio("scripts", "pola-sh: 200 x x=$(cat)", "dash: 200 x x=$(cat)"), None),
    "pola-sh / dash+bwrap, 500 cat": (
        ratio("scripts", "pola-sh: 500 x cat", "dash: 500 x bwrap cat"), None),
    "pola-sh / dash, pipeline": (
        ratio("pipeline", "pola-sh: 5-stage pipeline, 100 MB", "dash: 5-stage pipeline, 100 MB"), None),
    "jailed / plain, write 1 GiB": (ratio("io", "jailed: write 1 GiB", "plain: write 1 GiB"), 1.05),
    "jailed / plain, read 1 GiB": (ratio("io", "jailed: read 1 GiB", "plain: read 1 GiB"), 1.05),
    "jailed / plain, find + stat": (
        ratio("io", "jailed: find + stat, 50k files", "plain: find + stat, 50k files"), 1.05),
    "pola-sh / dash, 200 sed -i onto a slot": (
        ratio("slots", "pola-sh: 200 x sed -i => slot", "dash: 200 x sed -i"), None),
    "slot / writable directory, 200 sed -i": (
        ratio("slots", "pola-sh: 200 x sed -i => slot", "pola-sh: 200 x sed -i + => ."), None),
    "jailed / plain, make -j2": (
        ratio("build", "jailed: make -j2, 121 C files", "plain: make -j2, 121 C files"), 1.05),
    "relayed / shared terminal, cat 50 MB": (
        ratio("terminal", "relayed: cat 50 MB to the terminal", "shared terminal: cat 50 MB"), None),
    "relayed / dash, cat 50 MB": (
        ratio("terminal", "relayed: cat 50 MB to the terminal", "dash: cat 50 MB to the terminal"), None),
    "relayed / shared terminal, 200 x true": (
        ratio("terminal", "relayed: 200 x /usr/bin/true", "shared terminal: 200 x /usr/bin/true"), None),
    "at the prompt: 200 x=$(true) / 200 true": (
        ratio("terminal", "relayed: 200 x x=$(/usr/bin/true)", "relayed: 200 x /usr/bin/true"), None),
    "at the prompt: pola-sh / dash, 200 x=$(true)": (
        ratio("terminal", "relayed: 200 x x=$(/usr/bin/true)",
              "dash: 200 x x=$(/usr/bin/true) at the prompt"), None),
}
# The jailed I/O and build cases include one launch; these ratios take the launch's
# median (pola-run -- true, same run) off, to show the cost of working inside a grant.
launch = ms("launch", "pola-run -- true")


def corrected(group, jailed, plain):
    x, y = ms(group, jailed), ms(group, plain)
    return None if None in (x, y, launch) else (x - launch) / y


for name, group, jailed, plain in [
    ("write 1 GiB", "io", "jailed: write 1 GiB", "plain: write 1 GiB"),
    ("read 1 GiB", "io", "jailed: read 1 GiB", "plain: read 1 GiB"),
    ("find + stat", "io", "jailed: find + stat, 50k files", "plain: find + stat, 50k files"),
    ("make -j2", "build", "jailed: make -j2, 121 C files", "plain: make -j2, 121 C files"),
]:
    ratios[f"jailed minus launch / plain, {name}"] = (corrected(group, jailed, plain), 1.05)
# What setting up the resource limits costs per command: with minus without, same run,
# in wall time (medians) and in CPU time (user + system of the whole process tree, means:
# steadier than wall time when the machine is shared).
def cpu(group, name):
    r = results.get(group, {}).get(name)
    return None if r is None else r["user"] + r["system"]


limits_cost = {}
for name, group, on, off, commands in [
    ("pola-run, one launch", "launch", "pola-run -- true", "pola-run -- true, limits off", 1),
    ("pola-sh, one jail", "launch", "pola-sh -c /usr/bin/true", "pola-sh -c /usr/bin/true, limits off", 1),
    ("pola-sh, 500 x cat, per command", "scripts", "pola-sh: 500 x cat", "pola-sh: 500 x cat, limits off", 500),
]:
    x, y, cx, cy = ms(group, on), ms(group, off), cpu(group, on), cpu(group, off)
    if None not in (x, y, cx, cy):
        limits_cost[name] = ((x - y) / commands, (cx - cy) / commands)
# Interactive latency, Enter to the command's exec (the probe's clock), against dash's
# fork + exec of the same probe on the same kind of terminal.
for case, target in (("after idle", 1.3), ("right after a command", 1.3), ("3-stage pipeline, last stage", None),
                     ("the probe's start to the next prompt", None)):
    ratios[f"pola-sh / dash, latency {case}"] = (
        ratio("latency", f"pola-sh: {case}", f"dash: {case}"), target)
# The network by name: the proxy's cost against the host's network, same run.
ratios["proxy / --net, download 1 GiB"] = (
    ratio("network", "proxy (--net-host): download 1 GiB", "host network (--net): download 1 GiB"), None)
ratios["proxy / --net, 200 connections"] = (
    ratio("network", "proxy (--net-host): 200 HTTP connections", "host network (--net): 200 HTTP connections"), None)
per_connection = {}
x, y = ms("network", "proxy (--net-host): 200 HTTP connections"), ms("network", "host network (--net): 200 HTTP connections")
if x is not None and y is not None:
    per_connection["connection setup added by the proxy, ms"] = (x - y) / 200
x, y = ms("network", "proxy (--net-host): download 1 GiB"), ms("network", "host network (--net): download 1 GiB")
for name, t in (("host network (--net)", y), ("proxy (--net-host)", x)):
    if t is not None:
        per_connection[f"{name}: MiB/s, 1 GiB download (incl. launch)"] = 1024 / (t / 1000)
plain_open = ms("mediated", "plain: 20000 opens")
per_open = {}
for name in ("plain: 20000 opens", "default jail: 20000 opens", "mediated (--learn): 20000 opens"):
    if ms("mediated", name) is not None:
        per_open[name.split(":")[0]] = ms("mediated", name) * 1000 / 20000  # µs per open

# The terminal relay: the cost of a jail's own terminal per command, and the relay's
# throughput, from the same run.
terminal = {}
relayed_cmds, shared_cmds = (ms("terminal", f"{v}: 200 x /usr/bin/true") for v in ("relayed", "shared terminal"))
if relayed_cmds is not None and shared_cmds is not None:
    terminal["own terminal, per command, wall (ms)"] = (relayed_cmds - shared_cmds) / 200
relayed_cpu, shared_cpu = (ms("terminal", f"{v}: 200 x /usr/bin/true (CPU)") for v in ("relayed", "shared terminal"))
if relayed_cpu is not None and shared_cpu is not None:
    terminal["own terminal, per command, CPU (ms)"] = (relayed_cpu - shared_cpu) / 200
    terminal["jailed command, CPU, shared terminal (ms)"] = shared_cpu / 200
relay_cpu = ms("terminal", "relayed: cat 50 MB, the relay thread's CPU")
if relay_cpu:
    terminal["relay thread, CPU per MB relayed (ms)"] = relay_cpu / 50
for variant in ("relayed", "shared terminal"):
    if ms("terminal", f"{variant}: 200 keys typed to cat") is not None:
        terminal[f"{variant}, key to echo (µs)"] = ms("terminal", f"{variant}: 200 keys typed to cat") * 1000 / 200
for name in ("relayed: cat 50 MB to the terminal", "shared terminal: cat 50 MB", "dash: cat 50 MB to the terminal"):
    if ms("terminal", name):
        terminal[name.split(":")[0] + ", MB/s"] = 50 / (ms("terminal", name) / 1000)

memory = {}
mem_path = os.path.join(raw_dir, "memory.json")
if os.path.exists(mem_path):
    memory = json.load(open(mem_path))

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = f"{cpu}, {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') // 2**30} GiB, Linux {platform.release()}"

# Other work on the machine slows every case, the jailed ones (more processes) most:
# say how busy it was.
load = open("/proc/loadavg").read().split()[:3]
lines = [f"Machine: {machine}", "", f"Load average at the end of the run (1, 5, 15 min): {', '.join(load)}", "", "| case | median ms | ± stddev | min | max | runs |", "|---|---:|---:|---:|---:|---:|"]
for group, rows in results.items():
    lines.append(f"| **{group}** | | | | | |")
    for name, r in rows.items():
        lines.append(f"| {name} | {r['median']:.2f} | {r['stddev']:.2f} | {r['min']:.2f} | {r['max']:.2f} | {r['runs']} |")
lines += ["", "| ratio (medians, same run) | value | target |", "|---|---:|---:|"]
for name, (value, target) in ratios.items():
    if value is None:
        continue
    goal = "" if target is None else (f"≤ {target:.2f}" + (" ✓" if value <= target else " ✗"))
    lines.append(f"| {name} | {value:.2f}× | {goal} |")
if limits_cost:
    lines += ["", "| resource limits (with − without, same run) | wall ms per command | CPU ms per command |",
              "|---|---:|---:|"]
    for name, (wall, cpu_ms) in limits_cost.items():
        lines.append(f"| {name} | {wall:.2f} | {cpu_ms:.2f} |")
if per_open:
    lines += ["", "| open() + close() | µs each (incl. launch, amortised over 20,000) |", "|---|---:|"]
    for name, us in per_open.items():
        lines.append(f"| {name} | {us:.2f} |")
if terminal:
    lines += ["", "| terminal relay | value |", "|---|---:|"]
    for name, value in terminal.items():
        lines.append(f"| {name} | {value:.2f} |")
if per_connection:
    lines += ["", "| network by name | value |", "|---|---:|"]
    for name, v in per_connection.items():
        lines.append(f"| {name} | {v:.2f} |")
if memory:
    lines += ["", "| memory | RSS KiB | PSS KiB |", "|---|---:|---:|"]
    for name in ("shell idle", "shell with 100 jobs", "shim per jail"):
        m = memory.get(name, {})
        lines.append(f"| {name} | {m.get('rss', 0):.0f} | {m.get('pss', 0):.0f} |")
    lines.append(f"\n({memory.get('jobs running')} jobs were running, held by {memory.get('shim processes')} pola-shim processes: a supervisor outside and PID 1 inside each jail.)")
table = "\n".join(lines)
print(table)

json.dump({"machine": machine, "load": load, "results": results,
           "ratios": {k: v for k, (v, _) in ratios.items() if v is not None},
           "per_open_us": per_open, "terminal": terminal, "network": per_connection,
           "memory": memory,
           "limits_cost_ms": {k: {"wall": w, "cpu": c} for k, (w, c) in limits_cost.items()}},
          open(os.path.join(out_dir, "results.json"), "w"), indent=2)

readme = os.path.join(out_dir, "README.md")
head = open(readme).read().split("<!-- results -->")[0] if os.path.exists(readme) else ""
if not head:
    head = "# Benchmarks\n\n`scripts/bench` measures everything below in one run and rewrites this table.\n\n"
open(readme, "w").write(head + "<!-- results -->\n" + table + "\n")
