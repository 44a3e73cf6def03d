"""Drive a program on a pseudo-terminal: send keys, wait for output.

usage: pty_driver.py STEPS_JSON UID GID PROGRAM [ARG]...
STEPS: [["send", text], ["expect", text, seconds], ["raw", text, seconds],
        ["count", text, n, seconds], ["sleep", seconds], ["resize", rows, cols], ["slow"],
        ["answer", question, [[contains, reply], ...], until, seconds], ["keep", path]]
"answer" replies to every new line containing `question` with the reply of the first
rule whose text the line contains (or the last rule's), until `until` appears.
"slow": from then on output is read at about 1 MB/s (a slow link).
"expect" matches output with terminal escapes removed; "raw" matches it as sent.
"keep": at the end, the whole output as sent is written to `path`.
Prints OK and the output (escapes removed), or FAIL with what was expected and the
output's tail; exit status 0/1.
"""
import fcntl, json, os, pty, re, select, struct, sys, termios, time

steps = json.loads(sys.argv[1])
uid, gid = int(sys.argv[2]), int(sys.argv[3])
argv = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    name = os.ttyname(0)
    os.chown(name, uid, gid)
    os.execvp(argv[0], argv)

out = b""
slow = False

def take_output():
    """One read of the output: 64 KiB, or 4 KiB and a 4 ms pause on a slow terminal."""
    if slow:
        time.sleep(0.004)
        return os.read(fd, 4096)
    return os.read(fd, 65536)
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
                chunk = take_output()
            except OSError:
                return until()
            if not chunk:
                return until()
            out += chunk
    return until()

def read_some(seconds):
    """Wait up to `seconds` for output; take what arrived."""
    global out
    r, _, _ = select.select([fd], [], [], seconds)
    if r:
        try:
            out += take_output()
        except OSError:
            pass

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
    elif kind == "slow":
        slow = True
    elif kind == "keep":
        pass
    elif kind == "resize":
        # The terminal's window changes size: its foreground group gets SIGWINCH.
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", step[1], step[2], 0, 0))
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
    elif kind == "answer":
        question, rules, until, seconds = step[1].encode(), step[2], step[3].encode(), step[4]
        seen = len(ansi.sub(b"", out))
        end = time.time() + seconds
        answered = 0
        while True:
            clean = ansi.sub(b"", out)
            at = clean.find(question, seen)
            if at >= 0:
                line_end = clean.find(b"?", at)
                if line_end < 0:
                    read_some(0.05)
                    continue
                line = clean[clean.rfind(b"\n", 0, at) + 1:line_end]
                reply = rules[-1][1]
                for text, r in rules:
                    if text.encode() in line:
                        reply = r
                        break
                os.write(fd, reply.encode())
                answered += 1
                seen = line_end
                continue
            if until in clean[seen:] or until in clean:
                break
            if time.time() > end:
                fail(f"expected {step[3]!r} (after {answered} answers)")
            read_some(0.05)
pump(lambda: False, 0.1)
for step in steps:
    if step[0] == "keep":
        with open(step[1], "wb") as f:
            f.write(out)
print("OK")
print(ansi.sub(b"", out).decode(errors="replace"))
os.kill(pid, 9)
