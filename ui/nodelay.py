"""Answers without a 40 ms wait: TCP_NODELAY on the server's sockets.

Streamlit's server (uvicorn, under Starlette) sends the answer to a rerun as many small websocket
messages: the new session, each element, the end of the run. It opens its listening socket itself,
and Python's asyncio turns off Nagle's algorithm (TCP_NODELAY) only on connections it accepts through
a socket it created for TCP by name, so every browser connection kept it on: after the answer's first
small message the kernel held back all the others until the browser acknowledged that one, and the
browser's kernel waits up to 40 ms before it acknowledges (delayed ACK). Every rerun's answer arrived
up to 40 ms late, whatever the page: 47 ms on the real server for a run of 17 ms
(bench/app_latency.py, the server column).

``set_nodelay()`` turns Nagle's algorithm off on every TCP socket of this process: the listening
socket, whose setting each connection accepted from then on inherits (on Linux), and the connections
already open. streamlit_app.py calls it through ``once()``: the first time a server process runs the app.
"""

import functools
import os
import socket


def tcp_sockets():
    """Duplicates of this process's TCP sockets (close each after use), found through /proc/self/fd
    (Linux) or /dev/fd (macOS); none where neither exists."""
    folder = next((f for f in ("/proc/self/fd", "/dev/fd") if os.path.isdir(f)), None)
    for name in os.listdir(folder) if folder else ():
        try:
            duplicate = socket.socket(fileno=os.dup(int(name)))
        except (OSError, ValueError):           # not a socket, or closed since the listing
            continue
        if duplicate.family in (socket.AF_INET, socket.AF_INET6) and duplicate.type == socket.SOCK_STREAM:
            yield duplicate
        else:
            duplicate.close()


def set_nodelay():
    """TCP_NODELAY on each TCP socket of this process; returns how many were set."""
    count = 0
    for sock in tcp_sockets():
        with sock:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                count += 1
            except OSError:
                pass
    return count


@functools.cache
def once():
    """``set_nodelay()`` the first time only (in each process)."""
    return set_nodelay()
