#!/usr/bin/env python3
"""A package index (PEP 503 "simple" API) of a folder of wheels, for the Python buildpack's tests
and for making the fixtures' lock files (standard library only).

    serve.py --wheels Fixtures/wheelhouse --port 47130

GET /simple/            one link per project
GET /simple/NAME/       the project's wheels, each link with its #sha256=
GET /files/WHEEL        the wheel itself (HEAD too)
The uv and Poetry fixtures name http://127.0.0.1:47130/simple/ as their index, so their lock
files hold that URL; the port is fixed for that reason.
"""
import argparse
import hashlib
import html
import http.server
import os
import re


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def projects(folder):
    found = {}
    for wheel in sorted(os.listdir(folder)):
        if wheel.endswith(".whl"):
            found.setdefault(canonical(wheel.split("-", 1)[0]), []).append(wheel)
    return found


class Handler(http.server.BaseHTTPRequestHandler):
    wheels = "."

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="text/html"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        # uv asks first whether a wheel can be read in ranges; no Accept-Ranges: it downloads it whole.
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        index = projects(self.wheels)
        if path in ("/simple", "/simple/"):
            links = "".join(f'<a href="/simple/{name}/">{name}</a>\n' for name in index)
            return self.answer(200, f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode())
        match = re.fullmatch(r"/simple/([^/]+)/?", path)
        if match:
            wheels = index.get(canonical(match.group(1)))
            if not wheels:
                return self.answer(404, b"no such project\n", "text/plain")
            links = ""
            for wheel in wheels:
                with open(os.path.join(self.wheels, wheel), "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
                links += f'<a href="/files/{html.escape(wheel)}#sha256={digest}">{html.escape(wheel)}</a>\n'
            return self.answer(200, f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode())
        match = re.fullmatch(r"/files/([^/]+\.whl)", path)
        if match and os.path.isfile(os.path.join(self.wheels, match.group(1))):
            with open(os.path.join(self.wheels, match.group(1)), "rb") as handle:
                return self.answer(200, handle.read(), "application/octet-stream")
        return self.answer(404, b"not found\n", "text/plain")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheels", required=True)
    parser.add_argument("--port", type=int, default=47130)
    arguments = parser.parse_args()
    Handler.wheels = os.path.abspath(arguments.wheels)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    print(f"serving {Handler.wheels} on http://127.0.0.1:{arguments.port}/simple/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
