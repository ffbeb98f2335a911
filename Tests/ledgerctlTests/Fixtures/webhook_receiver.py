"""A newsroom's webhook receiver: checks each POST's X-Ledger-Signature (HMAC-SHA256 of
the body with the shared secret), answers 503 to the first FAIL requests, and appends
what it got to LOG as JSON lines.

    python3 webhook_receiver.py PORT SECRET FAIL LOG
"""
import hashlib
import hmac
import http.server
import json
import sys

port, secret, fail, log = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]
seen = {"requests": 0}


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen["requests"] += 1
        if seen["requests"] <= fail:
            self.send_response(503)
            self.end_headers()
            return
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(self.headers.get("X-Ledger-Signature", ""), expected)
        with open(log, "a") as file:
            file.write(json.dumps({"seq": int(self.headers["X-Ledger-Seq"]), "signature_ok": good, "entry": json.loads(body)}) + "\n")
        self.send_response(204 if good else 401)
        self.end_headers()

    def log_message(self, *arguments):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
