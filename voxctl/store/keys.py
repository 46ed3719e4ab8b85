"""Every Redis key and channel voxctl uses, in one place. All start with ``vox:``.

Names with ``{field}`` placeholders are templates filled from a record's stored
fields (see ``voxctl.store.table``): the same template is expanded in Python to
query an index and in Lua to maintain it, so a record with an empty field is
simply not in that index. Fill one with ``fill(template, **values)``.

Records are hashes. Indexes are sorted sets whose members are record keys,
scored by creation time (ms since the epoch, fractions keep creation order
within a millisecond). Indexes marked *live* hold a record only while its
status is not final.
"""
from __future__ import annotations

PREFIX = "vox:"

# --- accounts --------------------------------------------------------------------------------
ACCOUNT = "vox:account:{id}"  # hash: Account
ACCOUNTS = "vox:accounts"  # index: every account
ACCOUNT_KEYS = "vox:account:{id}:keys"  # hash: API key id -> SHA-256 hex of the key
API_KEY = "vox:apikey:{digest}"  # hash {account_id, key_id, created_time}, by the key's SHA-256 hex

# --- numbers ---------------------------------------------------------------------------------
NUMBERS = "vox:numbers"  # hash: normalised called number -> Application JSON

# --- calls -----------------------------------------------------------------------------------
CALL = "vox:call:{id}"  # hash: CallRecord
ACCOUNT_CALLS = "vox:acct:{account_id}:calls"  # index: an account's calls
CALLS_BY_TO = "vox:acct:{account_id}:calls:to:{to}"  # index
CALLS_BY_FROM = "vox:acct:{account_id}:calls:from:{from}"  # index
CALLS_BY_STATUS = "vox:acct:{account_id}:calls:status:{status}"  # index
CALLS_BY_DIRECTION = "vox:acct:{account_id}:calls:direction:{direction}"  # index
CALLS_BY_PARENT = "vox:acct:{account_id}:calls:parent:{parent_call_id}"  # index: a call's child legs
LIVE_CALLS = "vox:calls:live"  # live index: calls not yet final, every node
NODE_LIVE_CALLS = "vox:calls:live:node:{node_id}"  # live index: calls held by one node

# --- conferences and participants ------------------------------------------------------------
CONFERENCE = "vox:conference:{id}"  # hash: ConferenceRecord
ACCOUNT_CONFERENCES = "vox:acct:{account_id}:conferences"  # index: an account's conferences
CONFERENCES_BY_NAME = "vox:acct:{account_id}:conferences:name:{name}"  # index
CONFERENCES_BY_STATUS = "vox:acct:{account_id}:conferences:status:{status}"  # index
LIVE_CONFERENCE_BY_NAME = "vox:acct:{account_id}:conferences:live:{name}"  # live index: the room now open
LIVE_CONFERENCES = "vox:conferences:live"  # live index
NODE_LIVE_CONFERENCES = "vox:conferences:live:node:{node_id}"  # live index
PARTICIPANT = "vox:participant:{conference_id}:{id}"  # hash: ParticipantRecord (id = call id)
CONFERENCE_PARTICIPANTS = "vox:conference:{conference_id}:participants"  # live index: current members
PARTICIPANT_BY_MEMBER = "vox:conference:{conference_id}:member:{member_id}"  # live index
PARTICIPANT_BY_CALL = "vox:participants:call:{call_id}"  # live index: the conference a call is in

# --- record expiry ---------------------------------------------------------------------------
EXPIRING = "vox:expiring"  # zset: record key -> when its TTL runs out (server ms)
EXPIRING_INDEXES = "vox:expiring:indexes"  # hash: record key -> JSON list of the indexes holding it
TMP = "vox:tmp:{token}"  # scratch sorted set of one filtered query, deleted by the same script

# --- control bus and nodes -------------------------------------------------------------------
OWNER = "vox:owner:{id}"  # string: id of the node holding a call or conference
NODE_CHANNEL = "vox:node:{node_id}"  # pub/sub channel: commands for targets a node holds
NODES = "vox:nodes"  # zset: node id -> last heartbeat (ms)
NODE_INFO = "vox:nodeinfo:{node_id}"  # string: JSON node info, expires without heartbeats
ORIGINATE_QUEUE = "vox:originate"  # list: call ids waiting to be dialled (engine nodes BLPOP it)


def fill(template: str, **values: object) -> str:
    """Expand a template: ``fill(CALL, id="...")``. Values are used as they are."""
    return template.format(**{name: str(value) for name, value in values.items()})
