"""HTTP server with a health endpoint, standard library only."""

import json
import os
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = "${{ values.name }}"


def health() -> dict:
    """The health document served on /healthz."""
    return {"status": "ok", "service": SERVICE}


class Handler(BaseHTTPRequestHandler):
    """Answers /healthz with 200 and anything else with 404."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path == "/healthz":
            self._send(200, health())
        else:
            self._send(404, {"error": "not found"})

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def create_server(port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    server = create_server(int(os.environ.get("PORT", "8080")))
    signal.signal(signal.SIGTERM, lambda *_: server.shutdown())
    print(f"{SERVICE} listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
