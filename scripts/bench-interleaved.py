"""Cases timed in interleaved rounds, for scripts/bench's groups whose rows are read
as ratios of one another (pola-sh's 500 commands against dash's).

usage: bench-interleaved.py RUNS WARMUP [--prepare COMMAND] NAME COMMAND [NAME COMMAND ...]
(writes hyperfine-style JSON to stdout)

hyperfine times each case's runs back to back, so on a machine whose speed drifts
over a minute (a shared VM: the same row has moved 15% between runs) the rows of one
group are not measured under the same conditions. Here every round runs each case
once, in turn, forwards in one round and backwards in the next; WARMUP rounds come
first and are not counted. A COMMAND is split into words as a shell would (quotes, no
expansion) and run without a shell, as `hyperfine -N` runs it; a case that fails
stops the run. The `--prepare` command runs before each run, untimed (as hyperfine's
`--prepare`). Each run's CPU time (user and system, of the command and every process
it waited for) is recorded as hyperfine records it.
"""
import os, shlex, subprocess, sys, tempfile, time

import bench_results

runs, warmup = int(sys.argv[1]), int(sys.argv[2])
pairs = sys.argv[3:]
prepare = None
if pairs[:1] == ["--prepare"]:
    prepare, pairs = shlex.split(pairs[1]), pairs[2:]
if len(pairs) % 2:
    raise SystemExit("bench-interleaved.py: a NAME without its COMMAND")
cases = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
times = {name: [] for name, _ in cases}
cpu = {name: [] for name, _ in cases}
# What a failing case said (a file, not a pipe: nothing it leaves running can hold us).
errors = tempfile.TemporaryFile()
for round in range(warmup + runs):
    for name, argv in cases if round % 2 == 0 else cases[::-1]:
        if prepare is not None:
            subprocess.run(prepare, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
        start = time.perf_counter_ns()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter_ns() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            err = errors.read().decode(errors="replace").strip().splitlines()[-3:]
            raise SystemExit(f"bench-interleaved.py: {name}: exit status "
                             f"{child.returncode}: {' / '.join(err)}")
        errors.truncate(0)
        errors.seek(0)
        if round >= warmup:
            times[name].append(took / 1e9)
            cpu[name].append((usage.ru_utime, usage.ru_stime))
bench_results.dump(times, cpu)
