"""The long-running HTTP server of `assistant serve`: waitress, with limits on what one client may hold.

waitress reads requests on one thread and answers them on a pool, so a client that sends
its request slowly holds a connection, not a worker. What it does not limit by itself is
how long a request may take to arrive: its idle timeout is reset by every byte, so a
client sending one header line every few seconds keeps its connection for ever, and 100
such clients used to fill the connection limit and lock everyone else out. Here:

- a request (headers and body) must arrive within REQUEST_SECONDS of its first byte;
- an idle keep-alive connection is closed after IDLE_SECONDS;
- up to CONNECTION_LIMIT connections are open at once (poll(), not select(), so the
  limit is not the 1,024 descriptors select() can watch);
- a body larger than the app's own limit is refused from its Content-Length, before a
  byte of it is read, or as soon as a chunked body grows past it (never spooled to disk);
- a request with both Content-Length and Transfer-Encoding is refused (request smuggling);
- waitress's own refusals are JSON errors like the app's.

A reverse proxy in front adds what one process cannot: see docs/hardening.md.
"""

from __future__ import annotations

import json
import mmap
import socket
import struct
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

REQUEST_SECONDS = 10.0  # from a request's first byte to its last; bodies are at most 32 KiB
IDLE_SECONDS = 20  # a keep-alive connection with no request in flight
CLEANUP_SECONDS = 1  # how often connections are checked against the two timeouts
CONNECTION_LIMIT = 1000
MAX_HEADER_BYTES = 64 * 1024  # the request line and headers; a GET question with its history fits in 32 KiB
THREADS = 8

_ERRORS = {
    400: ("bad_request", "The request is malformed."),
    413: ("body_too_large", "The request body is larger than {max_body} bytes."),
    431: ("headers_too_large", "The request line or headers are too large."),
    501: ("not_implemented", "This transfer encoding is not supported."),
}


class RequestParser(HTTPRequestParser):
    """waitress's parser, remembering when the request began and refusing ambiguous framing."""

    def __init__(self, adj) -> None:
        super().__init__(adj)
        self.started = time.time()  # waitress creates a parser when a request's first byte arrives

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        framed_twice = "CONTENT_LENGTH" in self.headers and (self.chunked or "TRANSFER_ENCODING" in self.headers)
        if framed_twice:  # which of the two frames the body? a proxy and this server may not agree
            raise ParsingError("Content-Length and Transfer-Encoding must not be sent together")


class JsonErrorTask(ErrorTask):
    """waitress's refusals (malformed request, body or headers too large) as the API's JSON errors."""

    def execute(self) -> None:
        error = self.request.error
        code, message = _ERRORS.get(error.code, _ERRORS[400])
        if error.code == 400 and error.body:
            message = f"The request is malformed: {error.body}."  # waitress's parser says how, never with data
        max_body = getattr(self.channel.server, "max_body", None)
        body = json.dumps({"error": {"code": code, "message": message.format(max_body=max_body)}}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [
                ("Content-Type", "application/json"),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
                ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
            ]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Channel(HTTPChannel):
    parser_class = RequestParser
    error_task_class = JsonErrorTask


def too_slow(request: HTTPRequestParser | None, now: float, request_seconds: float = REQUEST_SECONDS) -> bool:
    """Whether a request still arriving has taken longer than ``request_seconds`` since its first byte."""
    return request is not None and not request.completed and now - getattr(request, "started", now) > request_seconds


class Balance:
    """How many connections each of several serving processes on one listening socket holds, in memory
    they share, so that a process holding more than another leaves new connections to the others.

    Every process is woken for a new connection and the first to accept() takes it, busy or not; a
    keep-alive client then stays where it landed. Left to that race, all 32 connections of a load
    test once landed on one of two processes while the other idled, and throughput fell to a third.
    """

    _SLOT = struct.Struct("i")
    GONE = 2**31 - 1  # a process that ended holds "every" connection until its replacement counts its own

    def __init__(self, processes: int) -> None:
        self._counts = mmap.mmap(-1, self._SLOT.size * processes)  # anonymous: shared with forked processes

    def count(self, slot: int, connections: int) -> None:
        self._SLOT.pack_into(self._counts, slot * self._SLOT.size, connections)

    def takes_next(self, slot: int, connections: int) -> bool:
        """Record ``connections`` for ``slot``; whether that process should accept the next connection."""
        self.count(slot, connections)
        return connections <= min(c for (c,) in self._SLOT.iter_unpack(self._counts))


class Server(TcpWSGIServer):
    """A listening socket whose connections must send each request within ``request_seconds``."""

    channel_class = Channel
    request_seconds = REQUEST_SECONDS
    max_body: int | None = None
    balance: tuple[Balance, int] | None = None  # shared with the other processes on the socket, and this one's slot

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections
        for channel in list(self.active_channels.values()):
            if too_slow(channel.request, now, self.request_seconds):
                channel.will_close = True

    def readable(self) -> bool:
        """Whether to accept connections now (asked before each wait for events)."""
        if not super().readable():  # also the time-outs and the connection limit
            return False
        if self.balance is None:
            return True
        balance, slot = self.balance
        return balance.takes_next(slot, len(self.active_channels))


def create(
    app,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_body: int,
    sock: socket.socket | None = None,
    request_seconds: float = REQUEST_SECONDS,
    threads: int = THREADS,
    balance: tuple[Balance, int] | None = None,
) -> Server | MultiSocketServer:
    """A bound server for ``app`` with the limits above (one per address ``host`` names, or on the listening
    ``sock`` a parent process bound, sharing its connections with the other processes by ``balance``);
    ``.run()`` serves."""
    where: dict = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    adj = Adjustments(
        **where,
        threads=threads,
        ident="assistant",
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        asyncore_use_poll=True,
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=max_body + 1,  # waitress refuses at >=; the app's limit is inclusive
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    channels: dict = {}
    servers = []
    bound = [(s, (s.family, s.type, s.proto, s.getsockname())) for s in adj.sockets]
    for listening, sockinfo in bound or [(None, info) for info in adj.listen]:
        server = Server(
            app,
            channels,
            True,
            listening,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=listening is None,
            sockinfo=sockinfo,
        )
        server.request_seconds, server.max_body, server.balance = request_seconds, max_body, balance
        servers.append(server)
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(channels, adj, listening, dispatcher, servers[-1].log_info)
