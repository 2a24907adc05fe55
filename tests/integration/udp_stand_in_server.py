#!/usr/bin/env python3
"""A UDP socket standing in as a SIP server for device tests.

Usage: udp_stand_in_server.py PORT LOGFILE [SECONDS]

Answers every REGISTER with 200 OK (Expires: 300) and writes one line per datagram
of interest to LOGFILE: "REGISTER <unix time>" or "CRLFCRLF <unix time>" for a
double-CRLF keep-alive. Exits after SECONDS (default 60).
"""
import socket
import sys
import time

port, logf = int(sys.argv[1]), sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(0.5)
out = open(logf, "w", buffering=1)
end = time.time() + seconds
COPIED = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m")
while time.time() < end:
    try:
        data, src = s.recvfrom(65535)
    except socket.timeout:
        continue
    if data == b"\r\n\r\n":
        out.write("CRLFCRLF %.3f\n" % time.time())
        continue
    text = data.decode(errors="replace")
    if not text.startswith("REGISTER "):
        continue
    heads = []
    for line in text.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in COPIED:
            if name in ("to", "t"):
                line += ";tag=standin"
            heads.append(line)
    resp = "SIP/2.0 200 OK\r\n" + "\r\n".join(heads)
    resp += "\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n"
    s.sendto(resp.encode(), src)
    out.write("REGISTER %.3f\n" % time.time())
