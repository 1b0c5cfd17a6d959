#!/usr/bin/python3
"""The reference phone against a hostile service: whatever the other side
sends, zorgid-mobile ends in bounded time and memory with a clear error,
never a crash. The service is a TLS server on loopback whose certificate
pin is put in the QR payload, so the phone talks to it as to the portal.
TAP output."""
import base64
import hashlib
import http.server
import os
import resource
import shutil
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

MOBILE = os.path.join(os.environ["ZID_BUILD_ROOT"], "src", "mobile", "zorgid-mobile")
CALL_SECONDS = 30          # the phone's bound for one request, retries included

tmp = tempfile.mkdtemp(prefix="zid-hostile-")
key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=hostile"],
               check=True, capture_output=True)
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                     check=True, capture_output=True).stdout
PIN = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")

BEHAVIOUR = {"mode": None}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            self.rfile.read(length)
        mode = BEHAVIOUR["mode"]
        try:
            if mode in ("nested", "nested-big"):
                depth = 600000 if mode == "nested-big" else 100000
                body = b"[" * depth + b"]" * depth
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif mode == "endless":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 65536
                frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                while True:
                    self.wfile.write(frame)
            elif mode == "trickle":
                body = b'{"error":"slow","message":"' + b"." * 400 + b'"}'
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1)
            elif mode == "busy":
                body = b'{"error":"busy","message":"Druk"}'
                self.send_response(503)
                self.send_header("Retry-After", "30")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass

    do_GET = answer
    do_POST = answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]

pin_file = os.path.join(tmp, "pin")
with open(pin_file, "w") as f:
    f.write("1234\n")
payload = ("zorgid://enrol?v=1&env=acceptatie&host=127.0.0.1:%d&pin=%s&code=%s"
           % (port, PIN, "A" * 22))


def run_phone(mode):
    """zorgid-mobile enrol against the server in @mode: (exit code, seconds,
    peak RSS in MiB of the phone, stderr)"""
    BEHAVIOUR["mode"] = mode
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.run([MOBILE, "--data-dir", os.path.join(tmp, "phone-" + mode),
                           "--pin-file", pin_file, "enrol", payload],
                          capture_output=True, text=True, timeout=CALL_SECONDS + 60)
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.returncode, seconds, max(peak, before) / 1024, proc.stderr.strip()


checks = []


def check(name, ok, detail):
    checks.append((name, ok, detail))


# each case: the phone exits 1 (a refusal or failure it reports), not by a signal
code, seconds, rss, err = run_phone("nested-big")
check("1.2 MB of nested JSON is refused, no crash", code == 1 and "larger than" in err,
      "exit %d, %.1f s: %s" % (code, seconds, err))

code, seconds, rss, err = run_phone("nested")
check("JSON nested 100,000 deep within the size cap is refused, no crash",
      code == 1 and "readable" in err, "exit %d, %.1f s: %s" % (code, seconds, err))

code, seconds, rss, err = run_phone("endless")
check("an endless chunked answer is cut off in bounded memory",
      code == 1 and "larger than" in err and rss < 200,
      "exit %d, %.1f s, peak %.0f MiB: %s" % (code, seconds, rss, err))

code, seconds, rss, err = run_phone("busy")
check("Retry-After: 30 is not waited for", code == 1 and seconds < 10,
      "exit %d, %.1f s: %s" % (code, seconds, err))

code, seconds, rss, err = run_phone("trickle")
check("a trickling answer ends at the phone's deadline",
      code == 1 and seconds < CALL_SECONDS + 5 and "within" in err,
      "exit %d, %.1f s: %s" % (code, seconds, err))

print("1..%d" % len(checks))
failed = 0
for number, (name, ok, detail) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
    print("# " + detail.replace("\n", "\n# "))
    failed += not ok
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failed else 0)
