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
