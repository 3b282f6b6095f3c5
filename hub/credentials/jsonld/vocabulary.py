"""RDF and XML Schema IRIs, the N-Quads format name and the JSON-LD keywords, as pyld spells them.

The IRIs are those of the RDF vocabulary and of XML Schema datatypes that pyld writes in its RDF
datasets. The keywords are those of JSON-LD 1.1 (W3C Recommendation, 16 July 2020) and of JSON-LD
1.1 Framing.
"""

from __future__ import annotations

from pyld import jsonld

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
NQUADS = "application/n-quads"

# The keywords pyld recognises: those of JSON-LD 1.1 and of JSON-LD 1.1 Framing.
JSONLD_KEYWORDS = frozenset(jsonld.KEYWORDS)
