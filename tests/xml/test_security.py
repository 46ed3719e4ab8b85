"""Safe parsing: no entities, no DTD, no network, size and depth limits."""
from __future__ import annotations

import time

import pytest

from voxctl.xml import DocumentError, parse

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Response><Say>&lol9;</Say></Response>"""


def refused(document, **limits) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        parse(document, **limits)
    assert caught.value.code == 5106
    return caught.value


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    refused(BILLION_LAUGHS)  # libxml2's amplification guard, or our DOCTYPE refusal
    assert time.monotonic() - started < 1.0


def test_entity_declarations_are_refused_even_when_unused():
    error = refused('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n<Response/>')
    assert "DOCTYPE" in error.message and error.line == 2


def test_external_file_entity_is_refused_and_not_read():
    error = refused('<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    "<Response><Say>&xxe;</Say></Response>")
    assert "root:" not in str(error)


def test_plain_doctype_is_refused():
    assert refused("<!DOCTYPE Response>\n<Response/>").line == 1


def test_parameter_entities_are_refused():
    refused('<!DOCTYPE r [<!ENTITY % p "<!ENTITY x \'y\'>"> %p;]><Response/>')


def test_no_network_access_for_entities_dtds_or_xinclude(http_server):
    url = http_server.route("/evil", "<!ENTITY x 'pwned'>", content_type="application/xml-dtd")
    refused(f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><Response><Say>&x;</Say></Response>')
    refused(f'<!DOCTYPE Response SYSTEM "{url}"><Response/>')
    refused(f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]><Response/>')
    refused(f'<Response xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{url}"/></Response>')
    assert http_server.requests == []


def test_size_limit():
    filler = "<Pause/>" * (1024 * 1024 // 8)
    error = refused(f"<Response>{filler}</Response>")
    assert "limit of 1048576" in error.message
    small = "<Response><Say>Hello</Say></Response>"
    refused(small, max_bytes=len(small) - 1)
    assert parse(small, max_bytes=len(small)).verbs[0].text == "Hello"


def test_depth_limit():
    nested = "<If variable='$G' test='EQUAL' value='1'>" * 20 + "<Hangup/>" + "</If>" * 20
    error = refused(f"<Response>\n{nested}</Response>")
    assert "deeper than 16" in error.message and error.line == 2
    assert parse(f"<Response>{nested}</Response>", max_depth=22).verbs[0].tag == "If"


def test_depth_limit_counts_ssml_too():
    refused("<Response><Say>" + "<s>" * 20 + "x" + "</s>" * 20 + "</Say></Response>")


def test_very_deep_documents_fail_cleanly():
    refused("<Response>" + "<If>" * 5000 + "</If>" * 5000 + "</Response>", max_depth=10_000)


def test_text_that_is_not_unicode():
    refused("<Response><Say>\ud800</Say></Response>")


def test_control_characters_are_refused():
    refused(b"<Response><Say>\x01</Say></Response>")
