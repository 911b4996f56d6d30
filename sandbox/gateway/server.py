"""Serving the app on gunicorn: one process (the world lives in memory), many threads.

One worker process, because several processes would each hold a private world (an order placed
through one would be invisible to the next; DESIGN "Serving and state"). The worker class is
``gthread`` by default: see ``bench/`` and the README for the measurements behind the choice.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

WORKER_CLASSES = ("gthread", "gevent")


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        # Built in the worker, after any gevent monkey-patching.
        return self.factory()


def _stop_streams_first(worker: Any) -> None:
    """gunicorn ``post_worker_init``: on SIGTERM, SIGINT or SIGQUIT the app's WebSocket sessions
    are closed (1001) before the worker drains its connections, so it exits at once instead of
    waiting out the graceful timeout on open sockets."""
    from sandbox.app import shutdown

    app = worker.wsgi
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        original = signal.getsignal(sig)
        if not callable(original):
            continue

        def stop(number: int, frame: Any, original: Callable[[int, Any], Any] = original) -> None:
            shutdown(app)
            original(number, frame)

        signal.signal(sig, stop)


def serve(factory: Callable[[], Any], host: str, port: int, *, threads: int = 256,
          worker_class: str = "gthread", access_log: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": worker_class,
        "threads": threads,
        "worker_connections": 1000,
        "timeout": 0,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "oppf-sandbox",
        # gunicorn's control socket is one path per user: two sandboxes would replace each
        # other's. The emulator is controlled through /_sandbox/ instead.
        "control_socket_disable": True,
        "post_worker_init": _stop_streams_first,
    }
    Server(factory, options).run()
