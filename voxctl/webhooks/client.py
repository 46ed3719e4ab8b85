"""The node's one HTTP client for customer applications: pooled, time-limited, size-limited.

``HttpClient`` wraps one ``requests.Session`` whose connection pool is sized for
the node's concurrency. Every exchange has a connect timeout and a read timeout
(``fetch_*`` for documents, ``callback_*`` for callbacks), and the whole exchange
is bounded by their sum, so a receiver trickling bytes cannot hold a call or a
callback worker past it. The body is read in chunks (decompressed) and abandoned
as soon as it exceeds ``settings.max_document_bytes``. Redirects are
followed (at most ``settings.redirect_limit``) only to http and https URLs; a
redirect anywhere else is returned as the 3xx response it was. Cookies are never
kept: the session is shared by every account.
"""
from __future__ import annotations

import http.cookiejar
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import gevent
import requests
from requests.adapters import HTTPAdapter

from voxctl import __version__
from voxctl.config import Settings
from voxctl.webhooks.request import OutgoingRequest

log = logging.getLogger(__name__)

USER_AGENT = f"voxctl/{__version__}"
CHUNK_SIZE = 64 * 1024
POOL_HOSTS = 100  # distinct customer hosts kept with open connections


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP (and TLS) connection, then for the whole response."""

    connect: float
    read: float


@dataclass(frozen=True)
class HttpResponse:
    """What came back: status, the media type and its parameters, and the (size-checked) body."""

    status: int
    content_type: str
    body: bytes
    url: str


class TransportError(Exception):
    """No usable response: connection refused, DNS failure, timeout, oversize body, bad URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class _Session(requests.Session):
    """A session that follows redirects to http(s) URLs only."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target and urlsplit(target).scheme.lower() not in ("", "http", "https"):
            log.warning("not following redirect from %s to %s", resp.url, target)
            return None
        return target


class HttpClient:
    """One pooled session per node; :meth:`send` performs one signed request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fetch_timeouts = Timeouts(settings.fetch_connect_timeout, settings.fetch_read_timeout)
        self.callback_timeouts = Timeouts(settings.callback_connect_timeout, settings.callback_read_timeout)
        self.session = _Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = settings.redirect_limit
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = HTTPAdapter(pool_connections=POOL_HOSTS, pool_maxsize=max(10, settings.max_calls),
                              max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def send(self, request: OutgoingRequest, timeouts: Timeouts, call_id: str | None = None) -> HttpResponse:
        """Perform ``request``; any HTTP status is a response, anything else a ``TransportError``."""
        deadline = gevent.Timeout(timeouts.connect + timeouts.read)
        deadline.start()
        try:
            with self.session.request(request.method, request.url, data=request.body,
                                      headers=request.headers, stream=True,
                                      timeout=(timeouts.connect, timeouts.read)) as resp:
                body = self._read(resp, request.url)
                log.debug("call %s: %s %s -> %d (%d bytes)", call_id, request.method, request.url,
                          resp.status_code, len(body), extra={"call_id": call_id})
                return HttpResponse(resp.status_code, resp.headers.get("Content-Type", ""), body, resp.url)
        except gevent.Timeout as exc:
            if exc is not deadline:
                raise
            raise TransportError(request.url, f"no complete response within {timeouts.read:g}s") from None
        except requests.exceptions.ConnectTimeout:
            raise TransportError(request.url, f"connect timeout after {timeouts.connect:g}s") from None
        except requests.exceptions.ReadTimeout:
            raise TransportError(request.url, f"read timeout after {timeouts.read:g}s") from None
        except requests.exceptions.TooManyRedirects:
            raise TransportError(request.url, f"more than {self.settings.redirect_limit} redirects") from None
        except requests.exceptions.ConnectionError as exc:
            raise TransportError(request.url, f"connection failed: {_root_cause(exc)}") from None
        except requests.RequestException as exc:
            raise TransportError(request.url, f"request failed: {exc}") from None
        finally:
            deadline.close()

    def _read(self, resp: requests.Response, url: str) -> bytes:
        limit = self.settings.max_document_bytes
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TransportError(url, f"response of {declared} bytes exceeds the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(CHUNK_SIZE):
            size += len(chunk)
            if size > limit:
                raise TransportError(url, f"response exceeds the {limit}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


def _root_cause(exc: BaseException) -> str:
    """The innermost reason of a wrapped connection error (refused, DNS, reset...)."""
    seen = {id(exc)}
    while True:
        inner = exc.__cause__ or next((a for a in exc.args if isinstance(a, BaseException)), None)
        if inner is None or id(inner) in seen:
            return str(exc)
        seen.add(id(inner))
        exc = inner
