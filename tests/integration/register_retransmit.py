#!/usr/bin/env python3
"""A REGISTER retransmitted after its 200 OK (as if the 200 had been lost).

  register_retransmit.py HOST:PORT USER PASSWORD

Registers USER over UDP with MD5 digest (401, then the REGISTER with credentials and 200),
then sends the authenticated REGISTER again, byte for byte: same branch, same CSeq. The
server transaction is in Completed (RFC 3261 §17.2.2) and must send the very same 200
again. Processed as a new request it would be refused instead (same Call-ID, CSeq not
higher). Then the same bytes once more from another port: the transaction answers where
the request first came from (the phone), never to the sender of a copy, or anyone could
reflect 200 OKs at a third party. Prints what it saw; exits 0 only when all of that holds.
"""
import hashlib
import random
import re
import socket
import sys


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def main(server, user, password):
    host, port = server.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(3)
    lport = sock.getsockname()[1]
    call_id = "retransmit-%d@127.0.0.1" % random.randrange(1 << 30)
    uri = "sip:%s:%s" % (host, port)

    def register(cseq, branch, auth=""):
        return ("REGISTER %s SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:%s@%s>;tag=rt%d\r\n"
                "To: <sip:%s@%s>\r\n"
                "Call-ID: %s\r\n"
                "CSeq: %d REGISTER\r\n"
                "Contact: <sip:%s@127.0.0.1:%d>\r\n"
                "Expires: 300\r\n%s"
                "Content-Length: 0\r\n\r\n" % (uri, lport, branch, user, host, lport, user, host,
                                               call_id, cseq, user, lport, auth)).encode()

    def exchange(data):
        sock.sendto(data, (host, int(port)))
        answer, _ = sock.recvfrom(65535)
        return answer.decode(errors="replace")

    first = exchange(register(1, "z9hG4bK-rt-1"))
    if not first.startswith("SIP/2.0 401"):
        print("expected 401, got:\n" + first)
        return 1
    challenge = re.search(r'^WWW-Authenticate:\s*Digest\s+(.*)$', first, re.M | re.I).group(1)
    realm = re.search(r'realm="([^"]*)"', challenge).group(1)
    nonce = re.search(r'nonce="([^"]*)"', challenge).group(1)
    response = md5("%s:%s:%s" % (md5("%s:%s:%s" % (user, realm, password)), nonce,
                                 md5("REGISTER:" + uri)))
    auth = ('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s", algorithm=MD5\r\n' % (user, realm, nonce, uri, response))
    request = register(2, "z9hG4bK-rt-2", auth)
    ok = exchange(request)
    print("first answer: " + ok.splitlines()[0])
    if not ok.startswith("SIP/2.0 200"):
        print(ok)
        return 1
    again = exchange(request)
    print("answer to the retransmission: " + again.splitlines()[0])
    if again != ok:
        print("it differs from the first 200:\n" + again)
        return 1
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.1", 0))
    other.settimeout(1)
    other.sendto(request, (host, int(port)))
    try:
        third, _ = sock.recvfrom(65535)
    except socket.timeout:
        print("no answer reached the phone's port for the copy sent from another port")
        return 1
    print("a copy sent from port %d was answered to the phone's port %d: %s"
          % (other.getsockname()[1], lport, third.decode(errors="replace").splitlines()[0]))
    if third.decode(errors="replace") != ok:
        print("but the answer differs from the first 200")
        return 1
    try:
        stray, _ = other.recvfrom(65535)
        print("the copy's sender got an answer too:\n" + stray.decode(errors="replace"))
        return 1
    except socket.timeout:
        pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
