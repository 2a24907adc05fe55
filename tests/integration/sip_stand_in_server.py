#!/usr/bin/env python3
"""A socket standing in as a SIP server for device tests.

Usage: sip_stand_in_server.py PORT LOGFILE [SECONDS] [--tcp] [--no-pong] [--reply=CODE]

Answers every REGISTER and OPTIONS with 200 OK (REGISTER: Expires 300) and writes one
line per event of interest to LOGFILE, with the arrival time:
  LISTENING <t> (once bound: wait for it before starting the device), REGISTER <t>,
  OPTIONS <t>, CRLFCRLF <t> (a double-CRLF keep-alive), CONNECT <t>, CLOSE <t>.
UDP by default; with --tcp it accepts connections, frames messages by Content-Length, and
answers a CRLFCRLF ping with a CRLF pong unless --no-pong. --reply=503 answers REGISTER
with "503 Service Unavailable" instead. Exits after SECONDS (default 60).
"""
import select
import socket
import sys
import time

args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = {a for a in sys.argv[1:] if a.startswith("--")}
port, logf = int(args[0]), args[1]
reply = next((f.split("=", 1)[1] for f in flags if f.startswith("--reply=")), "200")
REASONS = {"200": "OK", "503": "Service Unavailable", "500": "Server Internal Error"}
seconds = float(args[2]) if len(args) > 2 else 60.0
out = open(logf, "w", buffering=1)
COPIED = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m")


def log(what):
    out.write("%s %.3f\n" % (what, time.time()))


def answer(text):
    """The response to one request, or None."""
    method = text.split(" ", 1)[0]
    if method not in ("REGISTER", "OPTIONS"):
        return None
    log(method)
    heads = []
    for line in text.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in COPIED and not (method == "OPTIONS" and name in ("contact", "m")):
            if name in ("to", "t"):
                line += ";tag=standin"
            heads.append(line)
    code = reply if method == "REGISTER" else "200"
    resp = "SIP/2.0 %s %s\r\n" % (code, REASONS.get(code, "Whatever")) + "\r\n".join(heads) + "\r\n"
    if method == "REGISTER" and code == "200":
        resp += "Expires: 300\r\n"
    return (resp + "Content-Length: 0\r\n\r\n").encode()


end = time.time() + seconds
if "--tcp" not in flags:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.5)
    log("LISTENING")
    while time.time() < end:
        try:
            data, src = s.recvfrom(65535)
        except socket.timeout:
            continue
        if data == b"\r\n\r\n":
            log("CRLFCRLF")
            continue
        resp = answer(data.decode(errors="replace"))
        if resp:
            s.sendto(resp, src)
    sys.exit(0)

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(16)
log("LISTENING")
buffers = {}
while time.time() < end:
    ready, _, _ = select.select([listener] + list(buffers), [], [], 0.5)
    for sock in ready:
        if sock is listener:
            conn, _ = listener.accept()
            buffers[conn] = b""
            log("CONNECT")
            continue
        data = sock.recv(65535)
        if not data:
            log("CLOSE")
            del buffers[sock]
            sock.close()
            continue
        buf = buffers[sock] + data
        while True:
            if buf.startswith(b"\r\n\r\n"):
                log("CRLFCRLF")
                buf = buf[4:]
                if "--no-pong" not in flags:
                    sock.sendall(b"\r\n")
                continue
            end_of_head = buf.find(b"\r\n\r\n")
            if end_of_head < 0:
                break
            head = buf[:end_of_head].decode(errors="replace")
            length = 0
            for line in head.split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() in ("content-length", "l"):
                    length = int(value.strip() or 0)
            total = end_of_head + 4 + length
            if len(buf) < total:
                break
            resp = answer(head + "\r\n\r\n")
            buf = buf[total:]
            if resp:
                sock.sendall(resp)
        buffers[sock] = buf
