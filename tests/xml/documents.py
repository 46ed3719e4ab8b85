"""Example documents from shared/spec, copied verbatim (one name per example).

The Complex IVR is kept once, in ``voxctl.demo`` (``make run-local`` serves it).
"""
from voxctl.demo import COMPLEX_IVR

# voxtelesys-voice-api-and-voxxml.txt
VOX_CREATE_CALL = '<Response><Say voice="Joanna" language="en-US">Hello!</Say></Response>'
VOX_MODIFY = "<Response><Hangup/></Response>"
VOX_INTRO = """<Response>
<Say>This is a test IVR</Say>
<Number>15556667788</Number>
<Hangup/>
</Response>"""
VOX_SIMPLE_IVR = """<Response>
<Say voice='Joanna' language='en-US'>Thank you for calling</Say>
<Gather input='dtmf' loop='3' repeatDelay='5' numDigits='1' timeout='60'>
<Say voice='Joanna' language='en-US'>For United States support, press 1.</Say>
<Say voice='Joanna' language='en-US'>For Canadian support, press 2.</Say>
</Gather>
<If variable='$GATHER' test='EQUAL' value='2'>
<Say voice='Joanna' language='en-US' loop='1' repeatDelay='3'>Dialing Canadian support. Please wait.</Say>
<Number>15556668888</Number>
<Say voice='Joanna' language='en-US' loop='1'>Call has ended. Goodbye.</Say>
<Hangup/>
</If>
<Say voice='Joanna' language='en-US' loop='1' repeatDelay='3'>Dialing United States support. Please wait.</Say>
<Number>15556667777</Number>
<Say voice='Joanna' language='en-US' loop='1'>Call has ended. Goodbye.</Say>
<Hangup/>
</Response>"""
VOX_COMPLEX_IVR = COMPLEX_IVR  # the spec's Complex IVR, kept once: the demo app serves it


# the example of each verb's section, wrapped in <Response>
VOX_VERB_EXAMPLES = {
    "Conference": "<Conference muted='false' startConferenceOnEnter='false' beep='true'>room1</Conference>",
    "Dial": """<Dial>
<Number>15556667777</Number>
<Number>15556668888</Number>
<Number>15556668888</Number>
</Dial>""",
    "Gather": """<Gather input='dtmf speech' loop='1' repeatDelay='7s' numDigits='4' timeout='10'>
<Say voice='Joanna' language='en-US'>Please enter conference ID</Say>
</Gather>""",
    "Hangup": "<Hangup/>",
    "If": """<If variable='$GATHER' test='EQUAL' value='1|english'>
<Say voice='Joanna' language='en-US'>You have chosen english.</Say>
</If>""",
    "Number": "<Number>15556667777</Number>",
    "Pause": "<Pause length='10'/>",
    "Play": "<Play>https://example.com/myfile.mp3</Play>",
    "Redirect": "<Redirect method='GET'>https://example.com/myscript.xml</Redirect>",
    "Reject": "<Reject/>",
    "Say": """<Say voice='Joanna' language='en-US'>Thank you.</Say>
<Say voice='Joanna' language='en-US' separateNumbers='true'>You entered the numbers $GATHER</Say>""",
    "SetMute": "<SetMute muted='false'/>",
}

# cxml-voice-xml-and-callbacks.txt
CXML_SAY_PLAY = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
<Say>Hello, World!</Say>
<Play>https://your-application.com/audio.mp3</Play>
</Response>"""

# rcml-dial-verb.txt
RCML_DIAL_NUMBER = """<Response>
    <Dial>1-444-555-6666</Dial>
</Response>"""
RCML_DIAL_RECORD = """<Response>
    <Dial record="true">1-444-555-6666</Dial>
</Response>"""
RCML_DIAL_CALLER_ID = """<Response>
    <Dial callerId="15556667777" record="true">1-444-555-6666</Dial>
</Response>"""
RCML_SEQUENTIAL = """<Response>
  <Say>This is a sequential Dial example.</Say>
  <Dial timeout="30">
    <Number>12223334444</Number>
  </Dial>
  <Pause length="4"/>
  <Dial timeout="30">
    <Number>15556667777</Number>
  </Dial>
  <Pause length="4"/>
  <Dial>
    <Client>jane</Client>
  </Dial>
</Response>"""

# rcml-dial-sip-noun.txt
RCML_SIP = """<Response>
    <Dial>
    <Sip>sip:alice@127.0.0.1:5080</Sip>
    </Dial>
</Response>"""
RCML_SIP_AUTH = """<Response>
    <Dial>
    <Sip username="alice" password="secret">sip:alice@example.com</Sip>
    </Dial>
</Response>"""
RCML_SIP_HEADERS = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial>
        <Sip>
        sip:alice@example.com?mycustomheader=tata&myotherheader=toto
        </Sip>
    </Dial>
</Response>"""
RCML_SIP_TRANSPORT = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial>
        <Sip>
        sip:alice@example.com;transport=tcp
        </Sip>
    </Dial>
</Response>"""
RCML_COMPLEX_DIAL = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial
        record="true"
        timeout="10"
        hangupOnStar="true"
        callerId="bob"
        method="POST"
        action="/handle_post_dial">
            <Sip
                method="POST"
                url="/handle_screening_on_answer">
                sip:alice@example.com?customheader=foo
            </Sip>
    </Dial>
</Response>"""

ALL_DOCUMENTS = {
    name: value for name, value in globals().items()
    if name.isupper() and isinstance(value, str)
}
