"""The OpenSearch engine: the same search over an OpenSearch cluster, fed by our own analysis.

The only package that imports ``opensearchpy``. Its modules: connect (client and settings),
mapping (the versioned index body), fields (an article as an OpenSearch document),
translate (our query tree as OpenSearch's query DSL), indexing (sync and rebuild),
searching and partial (search, soft AND), discovery (did-you-mean, related articles,
stories), engine (the Engine: search.service.Engine's methods).
"""
