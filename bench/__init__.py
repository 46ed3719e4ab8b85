"""voxctl benchmarks: ``make bench`` (``python -m bench``); see docs/benchmarks.rst.

The driver process (``__main__``) runs the FreeSWITCH simulator and the load; the
engine (``bench.engine``), the bare greenswitch floor (``bench.floor``), the document
server (``bench.docserver``) and Redis (the embedded redis-server) each run in their
own process, so the OS reports each one's CPU and memory.
"""
