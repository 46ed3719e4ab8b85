import pytest
import redis

from voxctl.store import EmbeddedRedis, connect
from voxctl.store.redis import embedded


def test_start_stop_and_a_second_client_reaches_it(tmp_path):
    server = EmbeddedRedis(tmp_path)
    assert not server.running()
    with server:
        assert server.owned and server.url == f"unix://{tmp_path.resolve()}/redis/redis.sock"
        other = redis.Redis.from_url(server.url, decode_responses=True)
        other.set("k", "v")
        assert server.client().get("k") == "v"
        assert connect(server.url).get("k") == "v"
        other.close()
    assert not server.running()


def test_data_persists_across_restarts(tmp_path):
    with EmbeddedRedis(tmp_path) as server:
        server.client().set("kept", "yes")
    with EmbeddedRedis(tmp_path) as server:
        assert server.client().get("kept") == "yes"
    assert (tmp_path / "redis" / "appendonly.aof").exists()


def test_a_second_process_adopts_the_running_server(tmp_path):
    with EmbeddedRedis(tmp_path) as owner:
        guest = EmbeddedRedis(tmp_path).start()
        assert not guest.owned
        guest.client().set("shared", "1")
        guest.stop()  # leaves the owner's server running
        assert owner.running() and owner.client().get("shared") == "1"


def test_connect_without_url_uses_the_data_dirs_embedded_server(tmp_path):
    client = connect("", tmp_path)
    try:
        client.set("x", "1")
        assert EmbeddedRedis(tmp_path).client().get("x") == "1"
        assert connect(None, tmp_path).get("x") == "1"  # the same server, started once
    finally:
        embedded(tmp_path).stop()


def test_socket_path_too_long(tmp_path):
    with pytest.raises(ValueError):
        EmbeddedRedis(tmp_path / ("d" * 120)).start()


def test_a_burst_beyond_the_pool_waits_for_a_connection_instead_of_failing(redis_server):
    import gevent

    client = connect(redis_server.url, max_connections=2)
    waits = [gevent.spawn(client.blpop, [f"vox:test:empty:{n}"], timeout=0.05) for n in range(8)]
    gevent.joinall(waits, raise_error=True)
    assert [w.value for w in waits] == [None] * 8  # each got a connection in turn; none raised
    client.close()
