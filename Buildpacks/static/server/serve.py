"""The static site buildpack's web process: serves the app's site on $PORT.

Started by the default process type as `python3 "$HOME/.static/serve.py"`. It finds the app
as the folder above its own, so the slug runs wherever it is extracted. Python 3 standard
library only (the stack's python3); one log line per request on stdout, like Heroku's router.
"""

import sys

sys.dont_write_bytecode = True  # the slug may be read-only, and .pyc files would be litter

import http.server  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import static_config  # noqa: E402
import static_site  # noqa: E402

_log_lock = threading.Lock()


def log(line, stream=None):
    with _log_lock:
        stream = stream or sys.stdout
        stream.write(line + "\n")
        stream.flush()


class SiteRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: browsers fetch a page's assets over one connection
    server_version = "slugc-static"
    timeout = 60  # an idle keep-alive connection holds a thread; let it go
    # Headers and body leave in separate writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms per request on keep-alive connections).
    disable_nagle_algorithm = True
    site = None  # set by main()

    def version_string(self):
        return self.server_version  # no Python version: nothing for a scanner to match on

    def do_GET(self):
        self._respond(send_body=True)

    def do_HEAD(self):
        self._respond(send_body=False)

    def _method_not_allowed(self):
        self._started = time.monotonic()
        body = b"Method Not Allowed\n"
        self._send(static_site.Response(405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")], body), True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed

    def _respond(self, send_body):
        self._started = time.monotonic()
        response = self.site.answer(self.path, self.headers)
        if response.status == 200 and response.file is not None and self._not_modified(response):
            response = static_site.Response(304, [h for h in response.headers if h[0] != "Content-Type"])
            send_body = False
        self._send(response, send_body)

    def _not_modified(self, response):
        etag = dict(response.headers).get("ETag")
        wanted = self.headers.get("If-None-Match")
        return bool(etag and wanted) and (wanted.strip() == "*" or etag in [t.strip() for t in wanted.split(",")])

    def _send(self, response, send_body):
        sent = 0
        try:
            handle = open(response.file, "rb") if response.file is not None and send_body else None
        except OSError:
            # The file vanished between routing and now.
            response, handle = static_site.Response(404, [("Content-Type", "text/html; charset=utf-8")], static_site.NOT_FOUND_BODY), None
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            if response.status != 304:
                self.send_header("Content-Length", str(response.size))
            self.end_headers()
            if send_body and handle is not None:
                sent = self.connection.sendfile(handle)
            elif send_body and response.status != 304:
                self.wfile.write(response.body)
                sent = len(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            if handle is not None:
                handle.close()
        self._log(response.status, sent)

    def _log(self, status, sent):
        service = int((time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000)
        path = "".join(c if " " < c < "\x7f" and c not in '"\\' else urllib.parse.quote(c) for c in self.path)
        fwd = self.headers.get("X-Forwarded-For", self.client_address[0]) if self.headers else self.client_address[0]
        proto = (self.headers.get("X-Forwarded-Proto", "http") if self.headers else "http").split(",")[0].strip()
        host = (self.headers.get("Host", "-") if self.headers else "-").replace('"', "")
        log('at=%s method=%s path="%s" host=%s fwd="%s" status=%d bytes=%d service=%dms protocol=%s' % (
            "error" if status >= 500 else "info", self.command, path, host, fwd.replace('"', ""), status, sent, service, proto))

    def log_request(self, code="-", size="-"):
        pass  # _log writes the one line per request, with the byte count and timing

    def log_message(self, format, *args):
        # Malformed requests answered by http.server itself (400, 414, 501).
        log("at=error client=%s message=%s" % (self.client_address[0], (format % args).replace("\n", " ")))


def _port():
    value = os.environ.get("PORT", "5000")
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise static_config.ConfigError('PORT is "%s", which is not a port number. Set PORT to a number from 1 to 65535.' % value)
    return int(value)


def main():
    app_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        config = static_config.load(app_dir)
        port = _port()
    except static_config.ConfigError as error:
        log(" !     %s" % error, sys.stderr)
        return 1
    SiteRequestHandler.site = static_site.Site(app_dir, config)
    http.server.ThreadingHTTPServer.request_queue_size = 128
    try:
        server = http.server.ThreadingHTTPServer(("0.0.0.0", port), SiteRequestHandler)
    except OSError as error:
        log(" !     Cannot listen on 0.0.0.0:%d: %s. Pick another PORT, or stop what uses this one." % (port, error.strerror), sys.stderr)
        return 1

    def stop(signum, frame):
        log("Received %s, shutting down" % signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for warning in config.warnings:
        log(" !     Warning: " + warning, sys.stderr)
    log("Serving %s on 0.0.0.0:%d" % (static_config.display_root(config.root), port))
    server.serve_forever(poll_interval=0.25)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
