"""Memory of pola-sh and its jails, for scripts/bench.

usage: bench-memory.py BIN_DIR   (prints JSON)

Runs pola-sh interactively on a pseudo-terminal (as a user would), measures its
resident size idle, then with 100 background jobs (`sleep` in jails), and the
resident size of the pola-shim processes that hold those jails. RSS counts shared
library pages in every process; PSS shares them out, so PSS sums to the real total.
"""
import json, os, pty, select, sys, time

bin_dir = sys.argv[1]
JOBS = 100


def rollup(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                    fields[parts[0][:-1].lower()] = int(parts[1])
    except OSError:
        pass
    return fields


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        children.setdefault(int(rest[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = os.environ.get("HOME", "/root")
    os.execv(f"{bin_dir}/pola-sh", ["pola-sh"])

out = b""


def pump(seconds, until=lambda: False):
    global out
    end = time.time() + seconds
    while time.time() < end and not until():
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return


pump(3, lambda: b"$ " in out)
time.sleep(0.5)
idle = rollup(pid)
os.write(fd, f"for i in $(seq {JOBS}); do sleep 300 & done\n".encode())


def sleeping():
    return sum(1 for p in descendants(pid) if comm(p) == "sleep")


end = time.time() + 120
while time.time() < end and sleeping() < JOBS:
    pump(0.5)
time.sleep(0.5)
busy = rollup(pid)
shims = [p for p in descendants(pid) if comm(p) == "pola-shim"]
shim_mem = [rollup(p) for p in shims]
running = sleeping()
for p in descendants(pid):
    try:
        os.kill(p, 9)
    except OSError:
        pass
os.kill(pid, 9)
os.waitpid(pid, 0)


def per(key):
    values = [m.get(key, 0) for m in shim_mem]
    return sum(values) / max(running, 1)


json.dump(
    {
        "shell idle": idle,
        f"shell with {JOBS} jobs": busy,
        "jobs running": running,
        "shim processes": len(shims),
        "shim per jail": {"rss": per("rss"), "pss": per("pss")},
    },
    sys.stdout,
    indent=2,
)
