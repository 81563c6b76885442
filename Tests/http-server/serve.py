#!/usr/bin/env python3
"""A local HTTP server for slugc's source and upload tests (standard library only).

GET  /files/NAME          the file ROOT/files/NAME, else 404
GET  /redirect/NAME       302 to /files/NAME
GET  /status/CODE         an empty answer with that status
GET  /hang                accepts, then never answers (timeouts)
GET  /endless             bytes without a Content-Length until the client goes (size limits)
PUT  /uploads/NAME        stores the body as ROOT/uploads/NAME, 201
PUT  /flaky/N/NAME        503 for the first N PUTs of NAME, then as /uploads/NAME
PUT  /forbidden/NAME      403 with an S3-style XML error
"""
import argparse
import http.server
import os
import threading
import time

failures = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # so curl's "Expect: 100-continue" is answered

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[0] == "files" and len(parts) == 2:
            path = os.path.join(self.server.root, "files", parts[1])
            if os.path.isfile(path):
                with open(path, "rb") as file:
                    return self.answer(200, file.read(), "application/gzip")
            return self.answer(404, b"no such file\n")
        if parts[0] == "redirect" and len(parts) == 2:
            self.send_response(302)
            self.send_header("Location", "/files/" + parts[1])
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return
        if parts[0] == "status" and len(parts) == 2:
            return self.answer(int(parts[1]), b"status page\n")
        if parts[0] == "hang":
            time.sleep(3600)
            return
        if parts[0] == "endless":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"\0" * 65536
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        return self.answer(404, b"not found\n")

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[0] == "forbidden":
            xml = b"<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n"
            return self.answer(403, xml, "application/xml")
        if parts[0] == "flaky" and len(parts) == 3:
            with lock:
                failures[parts[2]] = failures.get(parts[2], 0) + 1
                failing = failures[parts[2]] <= int(parts[1])
            if failing:
                return self.answer(503, b"try later\n")
            parts = ["uploads", parts[2]]
        if parts[0] == "uploads" and len(parts) == 2:
            folder = os.path.join(self.server.root, "uploads")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, parts[1]), "wb") as file:
                file.write(body)
            return self.answer(201, b"stored\n")
        return self.answer(404, b"not found\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    arguments = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    server.root = arguments.root
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
