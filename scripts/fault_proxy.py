"""Fault injection on the wire, in front of the local S3/Athena server (scripts/test.sh starts it
and exports its URL as CURTOP_TEST_FAULT_PROXY).

Every request is forwarded to the upstream server unchanged, except those a fault was armed for:

    POST /__fault  {"match": "SUBSTRING", "fault": "reset" | "slowdown" | "throttle" | "stall",
                    "count": N, "skip": K}

arms the fault for the next N requests whose path contains SUBSTRING, after the first K of them
(default 0) went through untouched (tests use their own bucket
name, so tests running at once do not see each other's faults). For the JSON APIs, where every
call is `POST /`, what is matched is `PATH TARGET @REGION`: the X-Amz-Target header
(`AmazonAthena.GetQueryResults`) and the region of the request's credential scope, so an Athena
test arms e.g. `AmazonAthena.GetQueryResults @eu-south-1` (each test its own region).

- reset:    the upstream answer is forwarded with its full headers and half its body, then the
            connection is reset (RST), as a dropped connection mid-object looks to the client;
- slowdown: the request is answered `503 SlowDown` (S3's throttling answer);
- throttle: the request is answered `400 ThrottlingException` (the JSON APIs' throttling answer);
- stall:    nothing is answered for STALL_SECONDS (longer than any read timeout a test sets),
            then the connection is closed.

    GET /__fault?match=SUBSTRING  answers {"hits": {"reset": n, ...}}: how often each fault was
                                  served for that match (tests assert the fault happened).

Usage: fault_proxy.py UPSTREAM_URL PORT
"""

import http.client
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STALL_SECONDS = 20
THROTTLE = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
SLOWDOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message>"
    b"<RequestId>FAULTPROXY</RequestId></Error>"
)

lock = threading.Lock()
armed = []  # [{"match", "fault", "count"}]
hits = {}  # match -> {fault: n}


def matched_text(path, headers):
    """What a fault's match is looked for in: the path, the JSON API target and the region."""
    target = headers.get("X-Amz-Target") or ""
    auth = headers.get("Authorization") or ""
    region = ""
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        region = scope[2] if len(scope) > 2 else ""
    return f"{path} {target} @{region}"


def take_fault(path):
    with lock:
        for f in armed:
            if f["count"] > 0 and f["match"] in path:
                if f["skip"] > 0:
                    f["skip"] -= 1
                    return None
                f["count"] -= 1
                hits.setdefault(f["match"], {}).setdefault(f["fault"], 0)
                hits[f["match"]][f["fault"]] += 1
                return f["fault"]
    return None


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fault_proxy: " + (fmt % args) + "\n")

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, body, content_type="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def control(self, body):
        url = urllib.parse.urlsplit(self.path)
        if self.command == "POST":
            f = json.loads(body)
            with lock:
                armed.append(
                    {
                        "match": f["match"],
                        "fault": f["fault"],
                        "count": int(f.get("count", 1)),
                        "skip": int(f.get("skip", 0)),
                    }
                )
            self.answer(201, b"{}")
        else:
            match = urllib.parse.parse_qs(url.query).get("match", [""])[0]
            with lock:
                self.answer(200, json.dumps({"hits": hits.get(match, {})}).encode())

    def forward(self):
        body = self.body()
        if self.path.startswith("/__fault"):
            return self.control(body)
        fault = take_fault(matched_text(self.path, self.headers))
        if fault == "slowdown":
            return self.answer(503, SLOWDOWN, "application/xml", [("x-amz-request-id", "FAULTPROXY")])
        if fault == "throttle":
            return self.answer(
                400,
                THROTTLE,
                "application/x-amz-json-1.1",
                [("x-amzn-RequestId", "FAULTPROXY"), ("x-amzn-ErrorType", "ThrottlingException")],
            )
        if fault == "stall":
            time.sleep(STALL_SECONDS)
            self.close_connection = True
            return
        up = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        up.request(self.command, self.path, body=body, headers=headers)
        resp = up.getresponse()
        data = resp.read()
        up.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault == "reset" and self.command != "HEAD":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST, not FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


if __name__ == "__main__":
    UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Proxy)
    server.daemon_threads = True
    server.serve_forever()
