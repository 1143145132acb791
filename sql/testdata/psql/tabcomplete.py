"""Types a partial query followed by TAB TAB into psql on a pseudo-terminal
and prints what psql shows (tab completion), then quits. Used by capture.sh.
Usage: tabcomplete.py PSQL TEXT"""
import os
import pty
import select
import signal
import sys
import time


def read_for(fd, seconds):
    out = b""
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def main():
    psql, text = sys.argv[1], sys.argv[2]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(psql, [psql, "-X"])
    read_for(fd, 2)
    os.write(fd, text.encode() + b"\t\t")
    shown = read_for(fd, 2)
    os.write(fd, b"\x03\\q\n")
    read_for(fd, 1)
    for _ in range(20):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace").replace("\r", "") + "\n")


main()
