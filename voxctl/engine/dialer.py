"""The originate-queue consumer: API-created calls dialled on this node's switch.

Every engine node pops ``keys.ORIGINATE_QUEUE`` with a blocking ``BLPOP`` (no
polling). For each call id: skip it when its record is gone or final (cancelled
while queued), claim it on the bus, mark it ``processing`` and originate
``{origination_uuid=<id>,vox_call_id=<id>,origination_caller_id_number=<from>,
originate_timeout=<timeout>}<dial string> &socket('<advertise> async full')``.
``CHANNEL_PROGRESS`` of that uuid makes it ``ringing``; when the far end answers the
switch connects the leg to our outbound socket and the ``CallSession`` takes over
(``answered``); a failed originate ends the record busy / no_answer / canceled /
failed from the ``BACKGROUND_JOB`` cause. TwiML status callbacks follow each step.
"""
from __future__ import annotations

import logging

import gevent
import redis
from gevent.pool import Pool

from voxctl.engine.dialstring import DialStringError, destination_leg
from voxctl.engine.esl import EslMessage
from voxctl.engine.log import call_logger
from voxctl.engine.session import send_status_event
from voxctl.engine.switch import SwitchError
from voxctl.services import Services
from voxctl.store import keys
from voxctl.store.records import CallRecord, CallStatus

log = logging.getLogger(__name__)

DEFAULT_RING_TIMEOUT = 60
ORIGINATOR_CANCEL = "ORIGINATOR_CANCEL"
# originate's failure cause -> the call's final status (anything else: failed)
CAUSE_STATUS = {
    "USER_BUSY": CallStatus.BUSY,
    "NO_ANSWER": CallStatus.NO_ANSWER,
    "NO_USER_RESPONSE": CallStatus.NO_ANSWER,
    "ALLOTTED_TIMEOUT": CallStatus.NO_ANSWER,
    "PROGRESS_TIMEOUT": CallStatus.NO_ANSWER,
    ORIGINATOR_CANCEL: CallStatus.CANCELED,
}


class Dialer:
    """Pops queued API calls and originates them back to this node's outbound socket."""

    def __init__(self, services: Services, socket_address: str) -> None:
        self.services = services
        self.socket_address = socket_address
        self._pool = Pool(services.settings.max_calls)
        self._dialling: set[str] = set()
        self._consumer: gevent.Greenlet | None = None

    def start(self) -> None:
        """Subscribe to call progress and start consuming the queue; returns at once."""
        self.services.switch.subscribe("CHANNEL_PROGRESS", self._on_progress)
        self.services.switch.subscribe("CHANNEL_PROGRESS_MEDIA", self._on_progress)
        if self._consumer is None:
            self._consumer = gevent.spawn(self._consume)

    def stop(self, grace: float = 0.0) -> None:
        """Stop popping; originates in flight get ``grace`` seconds."""
        if self._consumer is not None:
            self._consumer.kill()
            self._consumer = None
        self._pool.join(timeout=grace)
        self._pool.kill()

    def cancel(self, call_id: str) -> bool:
        """Stop dialling ``call_id``; False when it is not being dialled here."""
        if call_id not in self._dialling:
            return False
        self.services.switch.uuid_kill(call_id, ORIGINATOR_CANCEL)
        return True

    def _consume(self) -> None:
        client = self.services.redis
        while True:
            try:
                popped = client.blpop([keys.ORIGINATE_QUEUE], timeout=0)
            except redis.TimeoutError:  # a client with a socket timeout: block again
                continue
            except redis.ConnectionError:
                log.warning("originate queue: lost Redis, retrying in 1 s")
                gevent.sleep(1.0)
                continue
            if popped:
                self._pool.spawn(self._dial, popped[1])

    def _dial(self, call_id: str) -> None:
        call_log = call_logger(__name__, call_id)
        try:
            self._originate(call_id, call_log)
        except Exception:
            call_log.exception("originate failed")
            self._end(call_id, CallStatus.FAILED, "NORMAL_TEMPORARY_FAILURE")
        finally:
            self._dialling.discard(call_id)

    def _originate(self, call_id: str, call_log: logging.LoggerAdapter) -> None:
        services = self.services
        record = services.store.calls.get(call_id)
        if record is None or record.status in CallStatus.FINAL:
            call_log.info("popped a call that is %s: skipped", record.status if record else "gone")
            return
        if not services.bus.claim(call_id):
            call_log.info("another node holds this call: skipped")
            return
        record = services.store.calls.set_status(call_id, CallStatus.PROCESSING, node_id=services.node_id)
        if record is None:  # it became final between the read and the claim
            services.bus.release(call_id)
            return
        self._status_event(record, "initiated")
        try:
            leg = destination_leg(services.settings, record.to)
        except DialStringError as exc:
            call_log.warning("cannot dial %r: %s", record.to, exc)
            self._end(call_id, CallStatus.FAILED, "INVALID_NUMBER_FORMAT")
            return
        timeout = record.timeout or DEFAULT_RING_TIMEOUT
        variables = {"origination_uuid": call_id, "vox_call_id": call_id,
                     "origination_caller_id_number": record.from_, "originate_timeout": timeout}
        self._dialling.add(call_id)
        call_log.info("originating %s", leg)
        try:
            result = services.switch.originate(leg, variables, target=f"&socket('{self.socket_address} async full')",
                                               timeout=timeout + 30)
        except SwitchError as exc:
            call_log.warning("originate: %s", exc)
            self._end(call_id, CallStatus.FAILED, "NORMAL_TEMPORARY_FAILURE")
            return
        if not result.ok:
            call_log.info("originate failed: %s", result.cause)
            self._end(call_id, CAUSE_STATUS.get(result.cause, CallStatus.FAILED), result.cause)

    def _end(self, call_id: str, status: str, cause: str) -> None:
        """A call that never reached its socket: final status, callback, release."""
        services = self.services
        record = services.store.calls.set_status(call_id, status, hangup_cause=cause, hangup_by="callee")
        if record is not None:
            self._status_event(record, "completed")
        services.bus.release(call_id)

    def _on_progress(self, message: EslMessage) -> None:
        call_id = message.headers.get("Unique-ID", "")
        if call_id in self._dialling:
            gevent.spawn(self._ringing, call_id)

    def _ringing(self, call_id: str) -> None:
        """``processing`` -> ``ringing`` in one atomic write: a status set meanwhile (answered,
        final) is never overwritten, and only the first progress event sends the callback."""
        record = self.services.store.calls.set_status(call_id, CallStatus.RINGING,
                                                      only_from=(CallStatus.QUEUED, CallStatus.PROCESSING))
        if record is not None:
            self._status_event(record, "ringing")

    def _status_event(self, record: CallRecord, event: str) -> None:
        account = self.services.store.accounts.get(record.account_id) if record.status_callback else None
        send_status_event(self.services, record, account, event)
