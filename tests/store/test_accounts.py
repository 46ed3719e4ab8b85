import hashlib

from voxctl.store import ids
from voxctl.store.numbers import normalize_number
from voxctl.store.records import Application


def _everything_in(redis_client) -> str:
    """Every key and value in Redis, as one string."""
    parts = []
    for key in redis_client.scan_iter("*"):
        kind = redis_client.type(key)
        parts.append(key)
        if kind == "string":
            parts.append(redis_client.get(key))
        elif kind == "hash":
            parts += [f"{k}={v}" for k, v in redis_client.hgetall(key).items()]
        elif kind == "zset":
            parts += redis_client.zrange(key, 0, -1)
        elif kind == "set":
            parts += list(redis_client.smembers(key))
        elif kind == "list":
            parts += redis_client.lrange(key, 0, -1)
    return "\n".join(parts)


def test_api_key_is_shown_once_and_stored_only_hashed(store, redis_client):
    account, secrets = store.accounts.create("acme")
    assert secrets.api_key and secrets.auth_token == account.auth_token
    dump = _everything_in(redis_client)
    assert secrets.api_key not in dump
    assert hashlib.sha256(secrets.api_key.encode()).hexdigest() in dump
    assert store.accounts.by_api_key(secrets.api_key).id == account.id


def test_wrong_key_is_none(store):
    store.accounts.create("acme")
    assert store.accounts.by_api_key("vox_wrong") is None
    assert store.accounts.by_api_key("") is None


def test_keys_add_list_revoke(store):
    account, secrets = store.accounts.create("acme")
    second = store.accounts.add_key(account.id)
    assert second != secrets.api_key
    assert len(store.accounts.api_keys(account.id)) == 2
    assert store.accounts.by_api_key(second).id == account.id
    assert store.accounts.revoke_key(account.id, secrets.api_key)
    assert store.accounts.by_api_key(secrets.api_key) is None
    key_id = store.accounts.api_keys(account.id)[0].key_id
    assert store.accounts.revoke_key(account.id, key_id)
    assert store.accounts.by_api_key(second) is None
    assert not store.accounts.revoke_key(account.id, key_id)
    assert store.accounts.api_keys(account.id) == []


def test_a_key_revoked_elsewhere_is_not_accepted(store):
    a, _ = store.accounts.create("a")
    b, b_secrets = store.accounts.create("b")
    key_id = store.accounts.api_keys(b.id)[0].key_id
    assert not store.accounts.revoke_key(a.id, key_id)  # not a's key
    assert store.accounts.by_api_key(b_secrets.api_key).id == b.id


def test_basic_auth(store):
    account, secrets = store.accounts.create("acme")
    other, _ = store.accounts.create("other")
    assert store.accounts.authenticate_basic(account.sid, secrets.auth_token).id == account.id
    assert store.accounts.authenticate_basic(account.sid, "nope") is None
    assert store.accounts.authenticate_basic(other.sid, secrets.auth_token) is None
    assert store.accounts.authenticate_basic("ACnotasid", secrets.auth_token) is None
    assert store.accounts.authenticate_basic(account.sid, None) is None


def test_get_list_and_lookup(store):
    first, _ = store.accounts.create("first")
    second, _ = store.accounts.create("second")
    assert [a.name for a in store.accounts.list()] == ["second", "first"]
    assert store.accounts.get(first.id) == first
    assert store.accounts.by_sid(first.sid) == first
    assert store.accounts.lookup(first.sid) == store.accounts.lookup(first.id) == first
    assert first.signing_secret and first.signing_secret != second.signing_secret
    assert store.accounts.get(ids.new_id()) is None and store.accounts.get("garbage") is None
    assert store.accounts.by_sid(ids.to_sid(ids.CALL, first.id)) is None


def test_numbers(store):
    account, _ = store.accounts.create("acme")
    other, _ = store.accounts.create("other")
    app = Application(url="http://example.com/ivr.xml", account_id=account.id, flavour="twiml", method="GET")
    assert store.numbers.add("+1 (555) 010-0001", app) == "15550100001"
    store.numbers.add("support", Application(url="http://example.com/s", account_id=other.id))
    assert store.numbers.get("15550100001") == app
    assert store.numbers.get("+15550100001") == app
    assert store.numbers.get("+15550100002") is None
    assert list(store.numbers.list()) == ["15550100001", "support"]
    assert list(store.numbers.list(account_id=other.id)) == ["support"]
    assert store.numbers.remove("+15550100001")
    assert not store.numbers.remove("+15550100001")
    assert normalize_number(" sip:alice@example.com ") == "sip:alice@example.com"
