"""The call engine: FreeSWITCH calls driven over ESL.

* ``esl``: message framing and parsing (per-value url-decoding, JSON events,
  event bodies) and greenswitch's connections with the parts it gets wrong
  replaced (reader, dispatcher, serialised ``send``, prompt ``stop``).
* ``channel``: ``Channel``, one call on one outbound socket: applications as
  ``sendmsg`` with an ``Event-UUID``, completion matched on ``Application-UUID``,
  long arguments in the body, hangup ending every wait at once, ``uuid_break``,
  race-free ``interrupt()``, DTMF and hangup subscriptions, a clean hand-back.
* ``server``: ``OutboundServer``, the gevent ``StreamServer`` FreeSWITCH's
  ``socket`` application connects to; a bounded pool, one greenlet per call,
  refusal over capacity, exception isolation, graceful stop.
* ``switch``: ``SwitchLink``, the node's inbound ESL connection: api, bgapi,
  event subscriptions, originate, ``uuid_*`` and conference helpers, reconnects.
* ``dialstring``: dial strings from numbers, SIP URIs and clients, every value
  from a document escaped or refused.
* ``log``: loggers that carry the call uuid on every line.
"""
