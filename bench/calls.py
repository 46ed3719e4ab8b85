"""The simulated callers of each scenario, and checks that their calls went right."""
from __future__ import annotations

import time
from collections.abc import Callable

import gevent
import redis

from bench.documents import IVR_HEARD, IVR_PROMPT
from bench.load import Batch
from bench.stack import CALLER, NUMBER
from voxctl.sim import CallScript, DtmfOnPrompt
from voxctl.store import keys
from voxctl.store.records import CallStatus

Script = Callable[[int], CallScript]


def ivr_caller(port: int, hangup_after: float | None = None) -> Script:
    """Callers of the IVR on ``NUMBER`` whose socket goes to ``port``; each presses 1 on the menu
    (and hangs up ``hangup_after`` seconds after the call started, when given)."""
    return lambda i: CallScript(to=NUMBER, from_=CALLER, target=("127.0.0.1", port),
                                dtmf=[DtmfOnPrompt("1", IVR_PROMPT)], hangup_after=hangup_after)


def holding_caller(port: int, docs_url: str, account_id: str, room_size: int = 0) -> Script:
    """Callers held in a long Pause (``room_size`` 0) or in conferences of ``room_size`` calls."""
    def script(i: int) -> CallScript:
        path = f"/conf/bench-{i // room_size}" if room_size else "/pause"
        return CallScript(to=NUMBER, from_=CALLER, target=("127.0.0.1", port),
                          variables={"vox_url": docs_url + path, "vox_account": account_id})
    return script


def failed_ivr_calls(batch: Batch, prompts: int = len(IVR_HEARD)) -> list[dict[str, object]]:
    """Calls of ``batch`` that are not over, did not hear the IVR's first ``prompts`` prompts, or did
    not end normally."""
    expected = IVR_HEARD[:prompts]
    return [{"uuid": placed.call.uuid, "over": placed.call.done.is_set(), "heard": placed.call.heard(),
             "cause": placed.call.hangup_cause} for placed in batch.placed if not placed.heard_first(expected)]


def unfinished_records(client: redis.Redis, batch: Batch, timeout: float) -> int:
    """Wait up to ``timeout`` s for the engine to mark every call of ``batch`` complete; how many are not."""
    deadline = time.monotonic() + timeout
    pending = [placed.call.uuid for placed in batch.placed]
    while pending:
        with client.pipeline(transaction=False) as pipe:
            for call_id in pending:
                pipe.hget(keys.fill(keys.CALL, id=call_id), "status")
            statuses = pipe.execute()
        pending = [call_id for call_id, status in zip(pending, statuses, strict=True) if status != CallStatus.COMPLETE]
        if not pending or time.monotonic() >= deadline:
            break
        gevent.sleep(0.05)  # the bench waiting for the engine, not a hot path
    return len(pending)
