"""Call screening: the Number/Sip/Client ``url`` document, run on the called party before the bridge.

The Dial's ``bridge`` carries ``group_confirm_key=exec`` and
``group_confirm_file=socket <this node> async full`` (see ``docs/ARCHITECTURE.rst``):
when a leg answers, FreeSWITCH runs that ``socket`` application on the leg, so the
leg connects to this node's outbound socket while the caller keeps hearing
ringback and the other legs keep ringing. The connection carries the leg's
``vox_leg_id``; :func:`screening_handler` sends it to the ``ScreeningJob``
the Dial registered for that leg (in this process: the socket address is ours).

* The job has a URL: its document runs on the leg (parsed with context
  ``screening``: no Dial). When it runs out with the leg still up, the socket is
  released (``exit``): the ``socket`` application returns, the leg wins and is
  bridged. A ``<Hangup>``, the called party hanging up, or a fetch/document error
  (the leg is hung up) declines the leg: the other legs keep ringing.
* No URL (a leg of the same Dial without one): released at once.

A connection with a ``vox_leg_id`` but no job (a stale leg) is hung up.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voxctl.engine.channel import Channel, ChannelHungUp
from voxctl.engine.screening import LEG_VARIABLE, ScreeningJob, job_for
from voxctl.engine.session import CallSession, Sessions
from voxctl.services import Services
from voxctl.store.records import CallRecord
from voxctl.webhooks.documents import FetchError
from voxctl.xml import DocumentError, Response

SCREENING = "screening"


class ScreeningSession(CallSession):
    """A screening document on a Dial leg: the child call's record, no record of its own to finish."""

    def __init__(self, services: Services, channel: Channel, sessions: Sessions, job: ScreeningJob) -> None:
        super().__init__(services, channel, sessions)
        self.job = job
        self.flavour = job.flavour
        self.account = job.account
        self.call = services.store.calls.get(job.leg_id) or CallRecord(id=job.leg_id)

    def run(self) -> None:
        """Run the document; release the leg to the bridge if it is still up. Never raises."""
        job = self.job
        try:
            if job.url:
                self._run_documents(self.fetch(job.url, job.method, self.document_params()))
        except ChannelHungUp:
            self.log.info("screening: the called party is gone (%s)", self.channel.hangup_cause or "hung up")
        except (FetchError, DocumentError) as exc:
            self.log.warning("screening document error %s: %s: declining the leg", exc.code, exc.message)
            self._quiet_hangup("NORMAL_TEMPORARY_FAILURE", "system")
        except Exception:
            self.log.exception("screening failed: declining the leg")
            self._quiet_hangup("NORMAL_TEMPORARY_FAILURE", "system")
        finally:
            job.accepted = not self.channel.hung_up
            job.ran = True
            if job.accepted:
                self.log.info("screening accepted: connecting")
                self.channel.release()
            job.done.set()

    def fetch(self, url: str, method: str = "POST", params: Any = None, context: str = SCREENING) -> Response:
        """Every document of a screening (Gather/Redirect answers too) is a screening document."""
        return super().fetch(url, method, params, SCREENING)

    def _mark_answered(self) -> None:
        """The leg's answer is the Dial's to record and report."""


def screening_handler(services: Services, sessions: Sessions,
                      calls: Callable[[Channel], None]) -> Callable[[Channel], None]:
    """The outbound server's handler: screening legs here, every other connection to ``calls``."""
    def handle(channel: Channel) -> None:
        leg_id = channel.variables.get(LEG_VARIABLE)
        if not leg_id:
            calls(channel)
            return
        job = job_for(leg_id)
        if job is None:
            channel.log.warning("screening connection for unknown leg %s: hanging up", leg_id)
            channel.hangup("NORMAL_TEMPORARY_FAILURE")
            return
        ScreeningSession(services, channel, sessions, job).run()
    return handle
