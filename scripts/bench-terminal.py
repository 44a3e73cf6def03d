"""The cost of each jail's own terminal (the relay), for scripts/bench.

usage: bench-terminal.py BIN_DIR FILE RUNS   (writes hyperfine-style JSON to stdout)

Runs pola-sh interactively on a pseudo-terminal whose other end this script reads as
fast as it can, as a terminal emulator would, twice side by side: as it is (each jail
on a pseudo-terminal of its own, relayed by the shell) and with the relay off
(POLA_TEST_SHARED_TERMINAL=1: jails write to the terminal directly). In each it times,
from the keystroke to the next prompt, `cat FILE` (throughput through the relay) and
200 jailed `/usr/bin/true` (the per-command cost of making and relaying a terminal),
the same 200 as `x=$(/usr/bin/true)` (substitutions at the prompt; dash's too),
and 200 keys typed one at a time to a jailed `cat`, each when the last one's echo is
back (the latency of typing through the relay), alternating between the two shells run
by run. For the 200 commands it also records the CPU time the shell and its jails
used (the "(CPU)" rows), which other load on the machine does not inflate. dash on the same kind of terminal runs `cat FILE` as the floor.
"""
import os, pty, select, sys, time

import bench_results

bin_dir, big, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
MARK = b"BENCH-DONE"


class Session:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.clear()
            os.environ.update(env)
            os.execv(argv[0], argv)
        self.wait_for(b"$ " if os.getuid() else b"# ", 20)

    def wait_for(self, marker, timeout):
        """Read (and drop) output until `marker` appears; the time it took."""
        start = time.monotonic()
        tail = b""
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise SystemExit(f"timed out waiting for {marker!r}; last output {tail[-300:]!r}")
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise SystemExit("the shell went away")
            tail = (tail + chunk)[-4096:]
            if marker in tail:
                return time.monotonic() - start

    def run(self, line):
        """Type `line`, return the seconds until its output ends. The marker is
        typed as M""ARK so that the echo of the line does not match it."""
        os.write(self.fd, line.encode() + b'; echo BENCH-D""ONE\r')
        return self.wait_for(MARK, 600)

    def keystrokes(self, n):
        """Start `cat` (a job that reads the terminal), type `n` keys one at a time,
        each when the last one's echo has come back; the seconds that took."""
        os.write(self.fd, b"cat\r")
        # Keys typed before `cat` reads the terminal go to the line editor: wait for
        # it to run (a loaded machine can take longer than any fixed pause), then a
        # moment for it to reach its read.
        deadline = time.monotonic() + 20
        while not self.running("cat"):
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for the jailed cat to start")
            time.sleep(0.01)
        time.sleep(0.2)
        self.drain()
        start = time.monotonic()
        for _ in range(n):
            os.write(self.fd, b"x")
            self.wait_for(b"x", 10)
        took = time.monotonic() - start
        os.write(self.fd, b'\r\x04echo BENCH-D""ONE\r')
        self.wait_for(MARK, 10)
        return took

    def running(self, comm):
        """Whether a descendant of the shell named `comm` runs."""
        parents = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    name, rest = f.read().split(" (", 1)[1].rsplit(")", 1)
            except (OSError, IndexError, ValueError):
                continue
            parents[int(pid)] = (name, int(rest.split()[1]))
        for pid, (name, _) in parents.items():
            if name != comm:
                continue
            while pid in parents and pid != self.pid:
                pid = parents[pid][1]
            if pid == self.pid:
                return True
        return False

    def cpu(self):
        """CPU seconds used by the shell (all its threads) and its reaped children (the
        shims, and through them each jail): unlike wall time, not inflated by other
        load on the machine."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def relay_cpu(self):
        """CPU seconds used so far by the shell's relay thread."""
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            with open(f"/proc/{self.pid}/task/{tid}/comm") as f:
                if f.read().strip() != "pola-relay":
                    continue
            with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")
        return 0.0

    def drain(self):
        while select.select([self.fd], [], [], 0.05)[0]:
            os.read(self.fd, 1 << 16)

    def close(self):
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


base_env = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": os.environ.get("HOME", "/root"),
    "TERM": "xterm",
    "LANG": "C.UTF-8",
    "XDG_DATA_HOME": os.path.abspath("bench-terminal-data"),
}
sh = os.path.join(bin_dir, "pola-sh")
relayed = Session([sh], base_env)
shared = Session([sh], base_env | {"POLA_TEST_SHARED_TERMINAL": "1"})
dash = Session(["/usr/bin/dash", "-i"], base_env | {"PS1": "# " if os.getuid() == 0 else "$ "})

loop = "i=0; while [ $i -lt 200 ]; do /usr/bin/true; i=$((i+1)); done"
# The same loop's commands in substitutions typed at the prompt (a prompt's `$(git …)`).
subst = "i=0; while [ $i -lt 200 ]; do x=$(/usr/bin/true); i=$((i+1)); done"
KEYS = 200
cases = [
    ("relayed: cat 50 MB to the terminal", relayed, f"cat {big}"),
    ("shared terminal: cat 50 MB", shared, f"cat {big}"),
    ("dash: cat 50 MB to the terminal", dash, f"cat {big}"),
    ("relayed: 200 x /usr/bin/true", relayed, loop),
    ("shared terminal: 200 x /usr/bin/true", shared, loop),
    ("relayed: 200 x x=$(/usr/bin/true)", relayed, subst),
    ("dash: 200 x x=$(/usr/bin/true) at the prompt", dash, subst),
    # Typing into a jailed program: the echo comes back through the relay twice
    # (keys in, echo out), or straight from the terminal's line discipline.
    ("relayed: 200 keys typed to cat", relayed, KEYS),
    ("shared terminal: 200 keys typed to cat", shared, KEYS),
]


CPU_CASES = {"relayed: 200 x /usr/bin/true", "shared terminal: 200 x /usr/bin/true"}


def measure(session, what):
    return session.keystrokes(what) if isinstance(what, int) else session.run(what)


RELAY_CASE = "relayed: cat 50 MB to the terminal"
times = {name: [] for name, _, _ in cases}
cpu = {f"{name} (CPU)": [] for name in CPU_CASES}
cpu["relayed: cat 50 MB, the relay thread's CPU"] = []
for _warmup in range(1):
    for _, session, what in cases:
        measure(session, what)
for _ in range(runs):
    for name, session, what in cases:
        before, relay_before = session.cpu(), session.relay_cpu()
        times[name].append(measure(session, what))
        if name in CPU_CASES:
            cpu[f"{name} (CPU)"].append(session.cpu() - before)
        if name == RELAY_CASE:
            cpu["relayed: cat 50 MB, the relay thread's CPU"].append(
                session.relay_cpu() - relay_before)
times.update(cpu)
for s in (relayed, shared, dash):
    s.close()

bench_results.dump(times)
