"""Drive a program on a pseudo-terminal: send keys, wait for output.

usage: pty_driver.py STEPS_JSON UID GID PROGRAM [ARG]...
STEPS: [["send", text], ["expect", text, seconds], ["raw", text, seconds],
        ["count", text, n, seconds], ["sleep", seconds]]
"expect" matches output with terminal escapes removed; "raw" matches it as sent.
Prints OK, or FAIL with what was expected and the output's tail; exit status 0/1.
"""
import json, os, pty, re, select, sys, time

steps = json.loads(sys.argv[1])
uid, gid = int(sys.argv[2]), int(sys.argv[3])
argv = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    name = os.ttyname(0)
    os.chown(name, uid, gid)
    os.execvp(argv[0], argv)

out = b""
ansi = re.compile(rb"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")

def pump(until, seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if until():
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return until()
            if not chunk:
                return until()
            out += chunk
    return until()

def fail(message):
    tail = ansi.sub(b"", out)[-1500:].decode(errors="replace")
    print(f"FAIL: {message}\n--- output (escapes removed) ---\n{tail}")
    sys.exit(1)

for step in steps:
    kind = step[0]
    if kind == "send":
        os.write(fd, step[1].encode())
    elif kind == "sleep":
        pump(lambda: False, step[1])
    elif kind == "expect":
        want = step[1].encode()
        if not pump(lambda: want in ansi.sub(b"", out), step[2]):
            fail(f"expected {step[1]!r}")
    elif kind == "raw":
        want = step[1].encode()
        if not pump(lambda: want in out, step[2]):
            fail(f"expected raw {step[1]!r}")
    elif kind == "count":
        want = step[1].encode()
        if not pump(lambda: ansi.sub(b"", out).count(want) >= step[2], step[3]):
            fail(f"expected {step[1]!r} {step[2]} times")
print("OK")
os.kill(pid, 9)
