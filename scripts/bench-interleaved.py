"""Cases timed in interleaved rounds, for scripts/bench's groups whose rows are read
as ratios of one another (pola-sh's 500 commands against dash's).

usage: bench-interleaved.py RUNS WARMUP NAME COMMAND [NAME COMMAND ...]
(writes hyperfine-style JSON to stdout)

hyperfine times each case's runs back to back, so on a machine whose speed drifts
over a minute (a shared VM: the same row has moved 15% between runs) the rows of one
group are not measured under the same conditions. Here every round runs each case
once, in turn, forwards in one round and backwards in the next; WARMUP rounds come
first and are not counted. A COMMAND is split into words as a shell would (quotes, no
expansion) and run without a shell, as `hyperfine -N` runs it; a case that fails
stops the run.
"""
import shlex, subprocess, sys, time

import bench_results

runs, warmup = int(sys.argv[1]), int(sys.argv[2])
pairs = sys.argv[3:]
if len(pairs) % 2:
    raise SystemExit("bench-interleaved.py: a NAME without its COMMAND")
cases = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
times = {name: [] for name, _ in cases}
for round in range(warmup + runs):
    for name, argv in cases if round % 2 == 0 else cases[::-1]:
        start = time.perf_counter_ns()
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        took = time.perf_counter_ns() - start
        if done.returncode != 0:
            err = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise SystemExit(f"bench-interleaved.py: {name}: exit status "
                             f"{done.returncode}: {' / '.join(err)}")
        if round >= warmup:
            times[name].append(took / 1e9)
bench_results.dump(times)
