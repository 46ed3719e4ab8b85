import re

import pytest

from voxctl.cli import main
from voxctl.store import EmbeddedRedis, Store, ids
from voxctl.store.redis import embedded


@pytest.fixture
def cli(redis_server, redis_client, monkeypatch, capsys):
    """Run ``voxctl ...`` against the test Redis; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("VOXCTL_REDIS_URL", redis_server.url)

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _field(out, name):
    return re.search(rf"{name}:\s+(\S+)", out).group(1)


def test_accounts_create_prints_credentials_once(cli, store):
    code, out, _ = cli("accounts", "create", "acme")
    assert code == 0 and "not shown again" in out
    account_id, sid = _field(out, "Account id"), _field(out, "AccountSid")
    assert ids.is_uuid(account_id) and sid == ids.to_sid(ids.ACCOUNT, account_id)
    assert store.accounts.by_api_key(_field(out, "API key")).id == account_id
    assert store.accounts.authenticate_basic(sid, _field(out, "AuthToken")).id == account_id
    code, out, _ = cli("accounts", "list")
    assert code == 0 and account_id in out and sid in out and "acme" in out
    assert "vox_" not in out  # keys are never shown again


def test_accounts_keys(cli, store):
    account, secrets = store.accounts.create("acme")
    code, out, _ = cli("accounts", "keys", "add", account.sid)
    assert code == 0 and "not shown again" in out
    new_key = _field(out, "API key")
    assert store.accounts.by_api_key(new_key).id == account.id
    code, out, _ = cli("accounts", "keys", "list", account.id)
    assert code == 0 and len(out.strip().splitlines()) == 3
    code, out, _ = cli("accounts", "keys", "revoke", account.id, new_key)
    assert code == 0 and store.accounts.by_api_key(new_key) is None
    key_id = store.accounts.api_keys(account.id)[0].key_id
    assert cli("accounts", "keys", "revoke", account.id, key_id)[0] == 0
    assert store.accounts.by_api_key(secrets.api_key) is None
    code, _, err = cli("accounts", "keys", "revoke", account.id, key_id)
    assert code == 1 and "no key" in err
    code, _, err = cli("accounts", "keys", "add", ids.new_id())
    assert code == 1 and "no such account" in err


def test_numbers(cli, store):
    account, _ = store.accounts.create("acme")
    code, out, _ = cli("numbers", "add", "+15550100001", "--url", "http://apps.example/ivr.xml",
                       "--flavour", "twiml", "--method", "get", "--account", account.sid)
    assert code == 0 and out.startswith("15550100001 -> GET http://apps.example/ivr.xml")
    app = store.numbers.get("15550100001")
    assert (app.account_id, app.flavour, app.method) == (account.id, "twiml", "GET")
    code, out, _ = cli("numbers", "list", "--account", account.id)
    assert code == 0 and "15550100001" in out and "http://apps.example/ivr.xml" in out
    assert cli("numbers", "remove", "+15550100001")[0] == 0
    assert store.numbers.get("15550100001") is None
    code, _, err = cli("numbers", "remove", "+15550100001")
    assert code == 1 and "not mapped" in err


def test_numbers_refuses_bad_input(cli, store):
    account, _ = store.accounts.create("acme")
    code, _, err = cli("numbers", "add", "1555", "--url", "ftp://x/y", "--account", account.id)
    assert code == 1 and "--url" in err
    code, _, err = cli("numbers", "add", "1555", "--url", "http://x/y", "--account", "AC" + "0" * 32)
    assert code == 1 and "no such account" in err
    with pytest.raises(SystemExit):
        cli("numbers", "add", "1555", "--url", "http://x/y", "--account", account.id, "--flavour", "cxml")
    assert store.numbers.list() == {}


def test_cli_shares_the_embedded_redis_of_a_running_node(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXCTL_REDIS_URL", "")
    monkeypatch.setenv("VOXCTL_DATA_DIR", str(tmp_path))
    with EmbeddedRedis(tmp_path) as node_redis:  # the node's server
        assert main(["accounts", "create", "acme"]) == 0
        account_id = _field(capsys.readouterr().out, "Account id")
        assert Store(node_redis.client()).accounts.get(account_id).name == "acme"


def test_cli_starts_the_embedded_redis_when_no_node_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXCTL_REDIS_URL", "")
    monkeypatch.setenv("VOXCTL_DATA_DIR", str(tmp_path))
    assert main(["accounts", "create", "acme"]) == 0
    account_id = _field(capsys.readouterr().out, "Account id")
    server = embedded(tmp_path)
    assert server.owned  # started by the command, stopped when the process exits
    server.stop()
    with EmbeddedRedis(tmp_path) as node_redis:  # a node started later finds the account
        assert Store(node_redis.client()).accounts.get(account_id).name == "acme"
