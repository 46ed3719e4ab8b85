"""Everything voxctl sends to a customer's application over HTTP.

``client`` (the pooled session), ``request`` (encoding and signing, one path for
everything), ``signing`` (X-Twilio-Signature, X-Vox-Signature), ``documents``
(fetch a document: 5107/5108), ``events`` (callback payloads for both flavours),
``callbacks`` (the delivery queue) and ``failures`` (failed deliveries in Redis).
"""
