"""The benchmark of issue 6: a synthetic bilingual corpus and the measurements over it.

Modules, one job each: ``vocabulary`` (ranked Russian and English words), ``generator``
(articles on disk), ``queries`` (the fixed query set), ``jobs`` (cold timed jobs in child
processes), ``latency`` (engine, HTTP and CLI query timing), ``profiling`` (cProfile
tables) and ``run`` (the whole run, the table and the JSON report).
"""
