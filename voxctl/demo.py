"""The demo application ``make run-local`` serves: the Complex IVR of the VoxXML spec.

A tiny document server (gevent WSGI) answers ``/ivr.xml`` (any method) with the
spec's Complex IVR as the spec prints it, except that its "hours of operation"
``<Play>`` points at ``/hours.wav`` on the same server (a generated 8 kHz WAV),
so every branch works offline. On the simulator, support (``SUPPORT_NUMBER``,
the spec's number) answers after 2 s and talks for 5 s (``SUPPORT_DESTINATION``).
"""
from __future__ import annotations

import io
import math
import struct
import wave

from gevent.pywsgi import WSGIServer

from voxctl.sim import Destination

DEMO_NUMBER = "15550001000"
SUPPORT_NUMBER = "15556667777"
SUPPORT_DESTINATION = Destination("answer", answer_after=2.0, stay=5.0)

HOURS_URL = "https://example.com/hours-of-operation.mp3"  # the spec's announcement, served here as /hours.wav
COMPLEX_IVR = """<Response>
<Say voice='Joanna' language='en-US' loop='1'>Hello, and welcome.</Say>
<Gather input='dtmf' loop='3' repeatDelay='5' numDigits='1' timeout='60'>
<Say voice='Joanna' language='en-US'>For support, press one.</Say>
<Say voice='Joanna' language='en-US'>To join a conference, press two.</Say>
<Say voice='Joanna' language='en-US'>For updates on hours of operation, press three.</Say>
</Gather>
<If variable='$GATHER' test='EQUAL' value='1'>
<Say voice='Joanna' language='en-US' loop='1' repeatDelay='3'>Dialing support. Please wait.</Say>
<Number>15556667777</Number>
<Say voice='Joanna' language='en-US' loop='1'>Call has ended. Goodbye.</Say>
<Hangup/>
</If>
<If variable='$GATHER' test='EQUAL' value='2'>
<Gather input='dtmf' loop='1' repeatDelay='5' numDigits='4' timeout='30'>
<Say voice='Joanna' language='en-US'>Please enter conference ID</Say>
</Gather>
<If variable='$GATHER' test='EQUAL' value='2233'>
<Gather input='dtmf speech' loop='1' repeatDelay='7' numDigits='4' timeout='10'>
<Say voice='Joanna' language='en-US'>Please enter pin</Say>
</Gather>
<If variable='$GATHER' test='EQUAL' value='1111'>
<Conference muted='false' startConferenceOnEnter='false' beep='true'>2233</Conference>
<Say voice='Joanna' language='en-US'>Conference has ended. Thank you</Say>
<Hangup/>
</If>
<If variable='$GATHER' test='EQUAL' value='9999'>
<Conference startConferenceOnEnter='true' endConferenceOnExit='true' muted='false' beep='true'>2233</Conference>
<Say voice='Joanna' language='en-US'>Conference has ended. Thank you</Say>
<Hangup/>
</If>
<Say voice='Joanna' language='en-US'>Invalid pin. Goodbye.</Say>
<Hangup/>
</If>
<If variable='$GATHER' test='EQUAL' value='3344'>
<Gather input='dtmf speech' loop='1' repeatDelay='7' numDigits='4' timeout='10'>
<Say voice='Joanna' language='en-US'>Please enter pin</Say>
</Gather>
<If variable='$GATHER' test='EQUAL' value='1111'>
<Conference muted='false' startConferenceOnEnter='false' beep='true'>3344</Conference>
<Say voice='Joanna' language='en-US'>Conference has ended. Thank you</Say>
<Hangup/>
</If>
<If variable='$GATHER' test='EQUAL' value='9999'>
<Conference startConferenceOnEnter='true' endConferenceOnExit='true' muted='false' beep='true'>3344</Conference>
<Say voice='Joanna' language='en-US'>Conference has ended. Thank you</Say>
<Hangup/>
</If>
<Say voice='Joanna' language='en-US'>Invalid pin. Goodbye.</Say>
<Hangup/>
</If>
<Say voice='Joanna' language='en-US'>Invalid conference. Goodbye.</Say>
<Hangup/>
</If>
<If variable='$GATHER' test='EQUAL' value='3'>
<Play>https://example.com/hours-of-operation.mp3</Play>
<Hangup/>
</If>
<Say voice='Joanna' language='en-US'>No option selected. Goodbye.</Say>
</Response>"""


def tone_wav(seconds: float = 2.0, freq: float = 440.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a sine tone (the stand-in for a recorded announcement)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = (int(8000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(int(seconds * rate)))
        w.writeframes(b"".join(struct.pack("<h", f) for f in frames))
    return buf.getvalue()


class DemoServer:
    """Serves the demo IVR document and its audio on ``host:port`` (port 0: any free one)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8090) -> None:
        self._wav = tone_wav()
        self._server = WSGIServer((host, port), self._app, log=None)

    @property
    def base_url(self) -> str:
        host, port = self._server.address[:2]
        return f"http://{host}:{self._server.server_port or port}"

    @property
    def ivr_url(self) -> str:
        return self.base_url + "/ivr.xml"

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop(timeout=1)

    def _app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        environ["wsgi.input"].read()
        if path == "/ivr.xml":
            body = COMPLEX_IVR.replace(HOURS_URL, f"{self.base_url}/hours.wav").encode()
            start_response("200 OK", [("Content-Type", "text/xml")])
        elif path == "/hours.wav":
            body = self._wav
            start_response("200 OK", [("Content-Type", "audio/wav"), ("Cache-Control", "max-age=3600")])
        else:
            body = b"not found"
            start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [body]
