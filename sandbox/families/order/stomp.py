"""STOMP 1.2 frames (https://stomp.github.io/stomp-specification-1.2.html): building, encoding,
and an incremental parser for what arrives over a WebSocket, where one message may carry several
frames, heart-beats, or only part of a frame.

No STOMP library is a dependency of the project; the framing is small enough to own:
``COMMAND EOL *(name:value EOL) EOL body NUL``, where EOL is ``\\n`` or ``\\r\\n``.

* Header names and values are UTF-8 and escaped (``\\r``, ``\\n``, ``\\c`` for ``:``, ``\\\\``) in
  every frame except ``CONNECT`` and ``CONNECTED``; an undefined escape such as ``\\t`` makes
  the frame malformed.
* The body is exactly ``content-length`` octets when that header is present (it may then contain
  NULs), otherwise everything up to the first NUL.
* Repeated headers are kept in order; :meth:`Frame.get` answers the first one, as the
  specification requires.
* EOLs between frames are heart-beats: they are skipped (and counted).

Lenient where it costs nothing: a header value may contain an unescaped ``:`` (the first one
separates name and value), a frame may end without trailing EOLs, and a command is any ASCII
word (the channel decides which commands it serves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NUL = b"\x00"
EOL = "\n"
UNESCAPED = ("CONNECT", "CONNECTED")  # frames whose headers are never escaped (1.0 compatible)
_ESCAPES = {"r": "\r", "n": "\n", "c": ":", "\\": "\\"}

Headers = tuple[tuple[str, str], ...]


class FrameError(ValueError):
    """A malformed frame (the connection cannot go on: STOMP has no way to resynchronise)."""


@dataclass(frozen=True)
class Frame:
    command: str
    headers: Headers = ()
    body: bytes = b""

    @classmethod
    def build(cls, command: str, headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
              body: bytes | str = b"") -> Frame:
        """A frame with ``content-length`` added when there is a body and none is given."""
        pairs = tuple(headers.items() if isinstance(headers, Mapping) else headers)
        data = body.encode("utf-8") if isinstance(body, str) else body
        if data and not any(name == "content-length" for name, _ in pairs):
            pairs += (("content-length", str(len(data))),)
        return cls(command, pairs, data)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (case-sensitive, as in STOMP)."""
        return next((value for key, value in self.headers if key == name), default)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


# ------------------------------------------------------------------------------ escaping
def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
            .replace(":", "\\c"))


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        code = next(chars, "")
        if code not in _ESCAPES:
            raise FrameError(f"undefined escape sequence '\\{code}' in a header")
        out.append(_ESCAPES[code])
    return "".join(out)


# ------------------------------------------------------------------------------ encoding
def encode(frame: Frame) -> bytes:
    """The frame's octets, NUL-terminated (headers written as given, in order)."""
    lines = [frame.command]
    for name, value in frame.headers:
        lines.append(_header_line(frame.command, name, value))
    return (EOL.join(lines) + EOL + EOL).encode("utf-8") + frame.body + NUL


def _header_line(command: str, name: str, value: str) -> str:
    if command not in UNESCAPED:
        return f"{escape(name)}:{escape(value)}"
    if ":" in name or any(c in name + value for c in "\r\n"):
        raise ValueError(f"a {command} header cannot carry CR, LF or a ':' in its name")
    return f"{name}:{value}"


# ------------------------------------------------------------------------------ parsing
class Parser:
    """Frames out of a byte stream fed in pieces; at most ``max_bytes`` per frame."""

    def __init__(self, max_bytes: int = 65536) -> None:
        self.max_bytes = max_bytes
        self.heartbeats = 0
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Octets of an incomplete frame waiting for the rest."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        """Every frame completed by ``data`` (FrameError on a malformed one)."""
        self._buffer += data
        frames: list[Frame] = []
        while self._skip_heartbeats():
            parsed = _parse(self._buffer, self.max_bytes)
            if parsed is None:
                if len(self._buffer) > self.max_bytes:
                    raise FrameError(f"a frame is longer than {self.max_bytes} octets")
                break
            frame, used = parsed
            del self._buffer[:used]
            frames.append(frame)
        return frames

    def _skip_heartbeats(self) -> bool:
        """Drop leading EOLs; True when the buffer then starts a frame."""
        buffer = self._buffer
        while buffer[:1] == b"\n" or buffer[:2] == b"\r\n":
            del buffer[:1 if buffer[:1] == b"\n" else 2]
            self.heartbeats += 1
        return bool(buffer) and buffer != b"\r"


def decode(data: bytes, max_bytes: int = 65536) -> list[Frame]:
    """Every frame of ``data``, which must end with a complete frame (or heart-beats)."""
    parser = Parser(max_bytes)
    frames = parser.feed(data)
    if parser.pending:
        raise FrameError("incomplete frame (no NUL terminator)")
    return frames


def _parse(buffer: bytearray, max_bytes: int) -> tuple[Frame, int] | None:
    """The frame at the start of ``buffer`` and its length; None while incomplete."""
    head = _head(buffer)
    if head is None:
        return None
    lines, start = head
    command = _command(lines[0])
    headers = tuple(_header(line, escaped=command not in UNESCAPED) for line in lines[1:])
    length = next((value for name, value in headers if name == "content-length"), None)
    if length is None:
        end = buffer.find(NUL, start)
        if end < 0:
            return None
    else:
        end = start + _content_length(length, max_bytes)
        if len(buffer) <= end:
            return None
        if buffer[end] != 0:
            raise FrameError("the body is not followed by NUL after content-length octets")
    if end + 1 > max_bytes:
        raise FrameError(f"a frame is longer than {max_bytes} octets")
    return Frame(command, headers, bytes(buffer[start:end])), end + 1


def _head(buffer: bytearray) -> tuple[list[bytes], int] | None:
    """The command and header lines (without EOLs) and where the body starts."""
    lines: list[bytes] = []
    pos = 0
    while True:
        nl = buffer.find(b"\n", pos)
        if nl < 0:
            return None
        line = bytes(buffer[pos:nl])
        pos = nl + 1
        line = line[:-1] if line.endswith(b"\r") else line
        if not line:
            return lines, pos
        lines.append(line)


def _command(line: bytes) -> str:
    if not (line.isalpha() and line.isascii()):
        raise FrameError(f"malformed command line {line[:40]!r}")
    return line.decode("ascii")


def _header(line: bytes, *, escaped: bool) -> tuple[str, str]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("a header is not UTF-8") from None
    name, sep, value = text.partition(":")
    if not sep or not name:
        raise FrameError(f"malformed header line {text[:40]!r}")
    if "\r" in text:
        raise FrameError("a header contains a bare CR")
    return (unescape(name), unescape(value)) if escaped else (name, value)


def _content_length(value: str, max_bytes: int) -> int:
    if not (value.isdigit() and value.isascii()):
        raise FrameError(f"content-length {value[:20]!r} is not a number of octets")
    length = int(value)
    if length > max_bytes:
        raise FrameError(f"content-length {length} exceeds {max_bytes} octets")
    return length


# ------------------------------------------------------------------------------ heart-beats
def parse_heartbeat(value: str | None) -> tuple[int, int]:
    """``heart-beat:cx,cy`` (milliseconds); absent means ``0,0``."""
    if value is None:
        return 0, 0
    parts = value.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() and p.strip().isascii() for p in parts):
        raise FrameError(f"heart-beat {value[:40]!r} is not two numbers of milliseconds")
    return int(parts[0]), int(parts[1])


def negotiate_heartbeat(client: tuple[int, int], server: tuple[int, int]) -> tuple[int, int]:
    """The server's (send every, expect every) in ms from the client's CONNECT ``cx,cy`` and
    the server's CONNECTED ``sx,sy``: it sends every max(sx, cy) and expects something every
    max(cx, sy), 0 (never) when either side's value is 0."""
    (cx, cy), (sx, sy) = client, server
    send = 0 if sx == 0 or cy == 0 else max(sx, cy)
    expect = 0 if cx == 0 or sy == 0 else max(cx, sy)
    return send, expect
