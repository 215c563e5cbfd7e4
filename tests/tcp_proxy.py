"""A TCP forwarder in front of a real server (PostgreSQL, Redis) that a test closes and opens
again: an outage of the server, for this test alone, while the server itself stays up."""

import contextlib
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``host``:``target_port``. ``close()`` stops listening and
    cuts every connection through it (their clients see the server gone); ``open()`` listens
    again on the same port."""

    def __init__(self, host: str, target_port: int) -> None:
        self.target = (host, target_port)
        self.port = 0
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> "TcpProxy":
        """Listen (on the port of the last ``open``, or a free one the first time)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener, self._stop = listener, threading.Event()
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()
        return self

    def close(self, cut: bool = True) -> None:
        """Stop listening and cut every open connection; with ``cut=False``, stop listening
        only (as a server that is shutting down refuses new connections, while those it
        has still get their last answers)."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if not cut:
            return
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
