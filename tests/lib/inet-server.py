#!/usr/bin/env python3
"""inet-server.py - the "internet" of the network tests: a DNS server and an
HTTP server, started by tools/test-net inside network namespaces of its own,
so that no test ever sends traffic off the machine.

  inet-server.py [--dns ADDR:PORT] [--http ADDR:PORT] [--name NAME=IPV4]...
                 [--user USER] [--ready FILE]

The DNS server answers A queries for the names given with --name, an empty
answer for their other types, and NXDOMAIN for every other name: it never
forwards a query anywhere. The HTTP server answers every GET with one line
naming itself and the client's address. Both bind first, then write "ready"
to FILE, then drop to USER and serve.
"""
import argparse
import http.server
import os
import pwd
import socket
import struct
import threading


def parse_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def dns_answer(msg, names):
    ident, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1 or flags & 0x8000:
        return None
    name, off = parse_name(msg, 12)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    rd = flags & 0x0100
    if name not in names:
        return struct.pack("!HHHHHH", ident, 0x8403 | rd, 1, 0, 0, 0) + question
    answers = b""
    count = 0
    if qtype in (1, 255) and qclass == 1:
        answers = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
                   socket.inet_aton(names[name]))
        count = 1
    return struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, count, 0, 0) + question + answers


def serve_dns(sock, names):
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            reply = dns_answer(msg, names)
        except (ValueError, IndexError, struct.error):
            reply = None
        if reply:
            sock.sendto(reply, peer)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from the test internet, %s\n" % self.client_address[0]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dns", type=addr)
    ap.add_argument("--http", type=addr)
    ap.add_argument("--name", action="append", default=[])
    ap.add_argument("--user")
    ap.add_argument("--ready")
    a = ap.parse_args()
    names = dict(n.lower().split("=", 1) for n in a.name)

    threads = []
    if a.dns:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(a.dns)
        threads.append(threading.Thread(target=serve_dns, args=(s, names), daemon=True))
    if a.http:
        srv = http.server.ThreadingHTTPServer(a.http, Hello)
        threads.append(threading.Thread(target=srv.serve_forever, daemon=True))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    if a.user:
        pw = pwd.getpwnam(a.user)
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    for t in threads:
        t.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
