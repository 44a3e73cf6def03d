"""Interactive latency, for scripts/bench: from the Enter key to the command's exec.

usage: bench-latency.py BIN_DIR PROBE RUNS   (writes hyperfine-style JSON to stdout)

PROBE is a static binary that prints CLOCK_MONOTONIC when it starts (bench/probe.c).
pola-sh and dash run interactively on pseudo-terminals, side by side; for each, the
line `PROBE` is typed and its Enter key sent at a recorded time, and the probe's own
time minus that is the latency: everything the shell does between the key and the
command's first instruction (for pola-sh: planning the jail, the zygote's copy, the
namespaces, the build, the lock, the exec). dash's fork+exec of the same probe is the
floor. Each case is measured after the shell has been idle a moment (a user typing),
and right after another command (`PROBE; PROBE`: the second probe's latency is from
the first one's start). A pipeline of three probes is timed to its last stage.
"""
import os, pty, re, select, sys, time

import bench_results

bin_dir, probe, runs = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
# scripts/bench-phases: the Enter key's and the probe's times, beside the phases of a
# build with the feature `phases` (fileserver/src/phases.rs).
phases = os.environ.get("POLA_PHASES")
IDLE = 0.25


class Session:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(os.path.dirname(probe))
            os.environ.clear()
            os.environ.update(env)
            os.execv(argv[0], argv)
        self.prompt = b"$ " if os.getuid() else b"# "
        self.read_until(self.prompt, 20)

    def read_until(self, marker, timeout):
        start, out = time.monotonic(), b""
        while marker not in out:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise SystemExit(f"timed out waiting for {marker!r}; last output {out[-300:]!r}")
            if select.select([self.fd], [], [], left)[0]:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    raise SystemExit("the shell went away")
                out += chunk
        return out

    def probes(self, line, n):
        """Type `line` (n probes), send Enter at a recorded time; the probes' times."""
        os.write(self.fd, line.encode())
        time.sleep(IDLE)
        # The echo (with the line editor's highlighting), read before the key.
        while select.select([self.fd], [], [], 0)[0]:
            os.read(self.fd, 1 << 16)
        enter = time.monotonic_ns()
        os.write(self.fd, b"\r")
        out = b""
        while out.count(b"PROBE ") < n:
            out += self.read_until(b"\n", 10)
        # The next prompt (which may come before a pipeline's output, relayed from
        # the last stage's own terminal).
        if self.prompt not in out[out.index(b"\n"):]:
            out += self.read_until(self.prompt, 10)
        self.prompt_at = time.monotonic_ns()
        stamps = [int(m) for m in re.findall(rb"PROBE (\d+)", out)]
        return enter, stamps

    def close(self):
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


env = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": os.environ.get("HOME", "/root"),
    "TERM": "xterm",
    "LANG": "C.UTF-8",
}
prompt = {"PS1": "# " if os.getuid() == 0 else "$ "}
shells = {
    "pola-sh": Session([os.path.join(bin_dir, "pola-sh")], env),
    "dash": Session(["/usr/bin/dash", "-i"], env | prompt),
}
p = "./" + os.path.basename(probe)
cases = {
    "after idle": (f"{p}", 1, lambda enter, s: s[0] - enter),
    "right after a command": (f"{p}; {p}", 2, lambda enter, s: s[1] - s[0]),
    "3-stage pipeline, last stage": (f"{p} | {p} | {p}", 0, None),
}
times = {f"{sh}: {case}": [] for sh in shells
         for case in [*cases, "the probe's start to the next prompt"]}
for i in range(runs + 1):
    for sh, session in (shells.items() if i % 2 == 0 else list(shells.items())[::-1]):
        for case, (line, n, latency) in cases.items():
            if latency is None:
                # The probes' output goes to the next stage, not the terminal: the last
                # stage reports all three lines.
                enter, stamps = session.probes(line, 1)
                value = max(stamps) - enter
            else:
                enter, stamps = session.probes(line, n)
                value = latency(enter, stamps)
                if phases and sh == "pola-sh" and case == "after idle" and i > 0:
                    with open(phases, "a") as f:
                        f.write(f"{enter} 0 enter\n{stamps[0]} 0 probe\n")
            if i > 0:
                times[f"{sh}: {case}"].append(value / 1e9)
            if i > 0 and case == "after idle":
                # Back: from the probe's start to the next prompt on the terminal (the
                # jail's end, the job's terminal finished, the prompt drawn).
                times[f"{sh}: the probe's start to the next prompt"].append(
                    (session.prompt_at - stamps[0]) / 1e9)
for s in shells.values():
    s.close()

bench_results.dump(times)
