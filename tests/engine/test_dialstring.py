"""Dial strings: shapes, escaping, and everything that must be refused."""
from __future__ import annotations

import pytest

from voxctl.config import Settings
from voxctl.engine.dialstring import (
    GLOBAL,
    DialStringError,
    client_leg,
    dial_string,
    escape_value,
    format_variables,
    number_leg,
    sip_leg,
)

SETTINGS = Settings(gateways={"carrier": "carrier1", "backup": "carrier2"}, default_gateway="carrier",
                    sip_profile="external", client_template="user/{client}")


def test_number_through_the_gateway_template():
    assert number_leg(SETTINGS, "+1 (555) 123-4567") == "sofia/gateway/carrier1/+15551234567"
    assert number_leg(SETTINGS, "5551234", gateway="backup") == "sofia/gateway/carrier2/5551234"


def test_number_template_without_a_gateway():
    settings = Settings(dial_template="loopback/{number}/default")
    assert number_leg(settings, "7001") == "loopback/7001/default"


@pytest.mark.parametrize("number", ["", "12ab", "1,2", "1|2", "1&2", "+1 555 {x}", "1\n2", "1" * 40])
def test_not_a_number(number):
    with pytest.raises(DialStringError):
        number_leg(SETTINGS, number)


def test_gateway_problems():
    with pytest.raises(DialStringError, match="unknown gateway"):
        number_leg(SETTINGS, "5551234", gateway="nope")
    with pytest.raises(DialStringError, match="no gateway"):
        number_leg(Settings(), "5551234")


def test_sip_uri_with_credentials_headers_and_transport():
    leg = sip_leg(SETTINGS, "sip:alice@example.com:5080;user=phone?X-Account=42&X-Name=Jane%20Doe",
                  username="bob", password="s3cret!", transport="TCP")
    assert leg == ("[sip_auth_username=bob,sip_auth_password=s3cret!,sip_h_X-Account=42,"
                   "sip_h_X-Name=Jane\\sDoe]sofia/external/sip:alice@example.com:5080;user=phone;transport=tcp")


def test_sip_uri_transport_replaces_the_uri_one():
    assert sip_leg(SETTINGS, "sips:[2001:db8::1];transport=udp", transport="tls") == \
        "sofia/external/sips:[2001:db8::1];transport=tls"


@pytest.mark.parametrize("uri", [
    "alice@example.com", "sip:alice@exa mple.com", "sip:a,b@example.com", "sip:alice@example.com|x",
    "sip:alice@example.com&park()", "sip:{a}@example.com", "sip:alice@example.com?Foo=1",
    "sip:alice@example.com;x='y'", "sip:alice@example.com\nfoo",
])
def test_sip_uris_that_cannot_be_dialled(uri):
    with pytest.raises(DialStringError):
        sip_leg(SETTINGS, uri)


@pytest.mark.parametrize("password", ["a,b", "it's", 'say "hi"', "a\\b", "x]y", "${system(rm)}", "a|b"])
def test_per_leg_values_that_cannot_be_escaped_are_refused(password):
    with pytest.raises(DialStringError):
        sip_leg(SETTINGS, "sip:alice@example.com", password=password)


def test_clients():
    assert client_leg(SETTINGS, "client:alice") == "user/alice"
    for bad in ["alice bob", "alice@domain", "a/b", ""]:
        with pytest.raises(DialStringError):
            client_leg(SETTINGS, bad)


def test_parallel_legs_with_global_variables():
    legs = [number_leg(SETTINGS, "5551234", variables={"leg_timeout": 20}), client_leg(SETTINGS, "alice")]
    assert dial_string(legs, {"origination_caller_id_name": "O'Brien, Jr", "ignore_early_media": "true"}) == (
        "{origination_caller_id_name=O\\'Brien\\,\\sJr,ignore_early_media=true}"
        "[leg_timeout=20]sofia/gateway/carrier1/5551234,user/alice")
    with pytest.raises(DialStringError):
        dial_string([])


@pytest.mark.parametrize("value", ["{", "}", "[", "]", "|", "&", "$", "^", "\n", "\r", "\t", "\x00"])
def test_structural_and_control_characters_are_refused_everywhere(value):
    for scope in ("leg", GLOBAL):
        with pytest.raises(DialStringError):
            escape_value(f"a{value}b", scope)


def test_variable_names_are_validated():
    with pytest.raises(DialStringError):
        format_variables({"a=b": "c"})
    with pytest.raises(DialStringError):
        format_variables({"a,b": "c"}, GLOBAL)
    assert format_variables({}) == ""


def test_destination_leg_dispatches_on_the_target_kind():
    from voxctl.config import Settings
    from voxctl.engine.dialstring import destination_leg

    settings = Settings(default_gateway="carrier")
    assert destination_leg(settings, "client:alice") == "user/alice"
    assert destination_leg(settings, "sips:bob@example.com").startswith("sofia/external/")
    assert destination_leg(settings, "15556667777") == "sofia/gateway/carrier/15556667777"
