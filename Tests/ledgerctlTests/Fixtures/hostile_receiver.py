"""Webhook receivers that misbehave, for the outbox's bounds. MODE is one of
  redirect  answers 307 to TARGET (another receiver, which must get nothing)
  huge      answers 200 with a 1 GiB body, sent until the client hangs up
  drip      answers 200 and then one byte a second
Each appends what it did to LOG as JSON lines: {"seq": N, "at": T} per request, and for
huge {"sent": BYTES} once the client has hung up.

    python3 hostile_receiver.py PORT MODE LOG [TARGET]
"""
import http.server
import json
import sys
import threading
import time

port, mode, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
target = sys.argv[4] if len(sys.argv) > 4 else ""
lock = threading.Lock()


def note(record):
    with lock, open(log, "a") as file:
        file.write(json.dumps(record) + "\n")


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        note({"seq": int(self.headers["X-Ledger-Seq"]), "at": time.time(), "signed": "X-Ledger-Signature" in self.headers})
        if mode == "redirect":
            self.send_response(307)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        size = 1 << 30 if mode == "huge" else 120
        self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        chunk = b"x" * (1 << 16)
        try:
            while sent < size:
                if mode == "drip":
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    sent += 1
                    time.sleep(1)
                else:
                    self.wfile.write(chunk)
                    sent += len(chunk)
        except OSError:
            pass
        if mode == "huge":
            note({"sent": sent})

    def log_message(self, *arguments):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
