#!/usr/bin/env python3
"""Configs and checks for sipreg-device with many extensions (tests and bench/load).

  many_extensions.py configs N SIP_PORT WEB_PORT RATE STATEDIR SIP_CONF DEVICE_CONF
      sipregd's sip.conf with N accounts ext-1..ext-N (password pw-I) and a device.conf
      registering all of them as [page], [page.2] ... [page.N] at RATE REGISTERs/s.
  many_extensions.py wait WEB_PORT N SECONDS
      polls /api/status (admin:webpass) until N registrations are Successful; prints the
      seconds it took, or exits 1 with the status counts at the deadline.
  many_extensions.py rate DEVICE_LOG
      the most REGISTER transactions the device started in any 1-second window (from the
      "REGISTER sent" lines of its log).
"""
import base64
import collections
import datetime
import json
import sys
import time
import urllib.request


def configs(n, sip_port, web_port, rate, statedir, sip_conf, device_conf):
    with open(sip_conf, "w") as f:
        f.write("[general]\nudpbindaddr=127.0.0.1:%s\nstatedir=%s\nauth_algorithms=md5\n"
                "maxretry=0\n\n" % (sip_port, statedir))
        for i in range(1, n + 1):
            f.write("[ext-%d]\ntype=friend\nhost=dynamic\nsecret=pw-%d\n\n" % (i, i))
    with open(device_conf, "w") as f:
        f.write("[sip]\nserver = 127.0.0.1:%s\nlocal_port = 0\nregister_rate = %s\n"
                "[web]\nlisten = 127.0.0.1:%s\npassword = webpass\n" % (sip_port, rate, web_port))
        for i in range(1, n + 1):
            section = "page" if i == 1 else "page.%d" % i
            f.write("[%s]\nextension = ext-%d\npassword = pw-%d\n" % (section, i, i))


def status(web_port):
    req = urllib.request.Request("http://127.0.0.1:%s/api/status" % web_port)
    req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:webpass").decode())
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)["registrations"]


def wait(web_port, n, seconds):
    start = time.time()
    counts = {}
    while time.time() - start < seconds:
        try:
            regs = status(web_port)
        except OSError:
            time.sleep(0.2)
            continue
        counts = collections.Counter(r["status"] for r in regs)
        if counts.get("Successful", 0) >= n:
            print("%.2f" % (time.time() - start))
            return 0
        time.sleep(0.2)
    print("deadline: %s" % dict(counts))
    return 1


def rate(log):
    times = []
    for line in open(log):
        if ": REGISTER sent to " in line or ": REGISTER (Expires: 0) sent to " in line:
            stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
            times.append(stamp.timestamp())
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    print(best)
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "configs":
        configs(int(args[0]), *args[1:])
    elif cmd == "wait":
        sys.exit(wait(args[0], int(args[1]), float(args[2])))
    elif cmd == "rate":
        sys.exit(rate(args[0]))
    else:
        sys.exit(__doc__)
