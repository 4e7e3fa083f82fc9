#!/usr/bin/env python3
"""Connections held open against a running smshub (issue 16): 500 idle, 100 sending a request head one
byte every 5 s (slowloris), 50 sending a body slower than its Content-Length says. Prints how many
connect, how long a new caller waits for GET /healthz while they are held, how many of them the
server has closed as time passes, and the new caller's wait afterwards.

    (ulimit -n 512; smshub serve) &   # as the issue measured: 512 open files for the process
    bench/held_connections.py 8080
"""
import socket, sys, time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 75
start = time.time()


def open_many(count, first_bytes=b""):
    sockets = []
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            if first_bytes:
                s.sendall(first_bytes)
            sockets.append(s)
        except OSError:
            pass
    return sockets


def closed_by_server(s):
    """True once the server has closed the connection (any response it sent is read and dropped)."""
    s.setblocking(False)
    try:
        while True:
            data = s.recv(65536)
            if data == b"":
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def new_caller():
    t = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.settimeout(60)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return "%s after %.1f s" % (s.recv(12).decode(errors="replace"), time.time() - t)
    except OSError as e:
        return "failed after %.1f s (%s)" % (time.time() - t, e)


idle = open_many(500)
slow = open_many(100, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
body = open_many(50, b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
print("connected %d idle, %d slowloris, %d slow-body of 500/100/50 in %.1f s" % (len(idle), len(slow), len(body), time.time() - start))
print("new caller while they are held:", new_caller())
groups = {"idle": idle, "slowloris": slow, "slow-body": body}
while time.time() - start < seconds:
    time.sleep(5)
    for s in slow:
        try:
            s.send(b"X")
        except OSError:
            pass
    for s in body:
        try:
            s.send(b"y")
        except OSError:
            pass
    for name in groups:
        groups[name] = [s for s in groups[name] if not closed_by_server(s)]
    print("t=%3.0f s still open: " % (time.time() - start) + ", ".join("%s %d" % (k, len(v)) for k, v in groups.items()))
print("new caller afterwards:", new_caller())
