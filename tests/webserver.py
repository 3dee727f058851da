"""A real HTTP server on 127.0.0.1 for the link and feed tests: routes set by each test."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answered 304 when the request names it


class LocalWebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []  # (path, headers) of every request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                modified = route.headers.get("Last-Modified")
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    modified and self.headers.get("If-Modified-Since") == modified
                ):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client refused a body over its size cap

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def page(self, path: str, body: bytes, **kwargs) -> str:
        self.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def redirect(self, path: str, to: str) -> str:
        self.routes[path] = Route(status=302, headers={"Location": to})
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    def __enter__(self) -> LocalWebServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
