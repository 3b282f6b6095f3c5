"""The pyld path for documents that no template can serve: RDFC-1.0 under a work budget.

pyld's URDNA2015 implements RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation, 21 May
2024). Its Hash N-Degree Quads step has no bound of its own, so this module counts blank nodes,
calls, nesting and orderings against the limits in :mod:`hub.credentials.jsonld.limits`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from hub.credentials.jsonld.limits import (
    MAX_BLANK_NODES,
    MAX_HASH_N_DEGREE_CALLS,
    MAX_HASH_N_DEGREE_DEPTH,
    MAX_HASH_N_DEGREE_PERMUTATIONS,
    DocumentTooComplexError,
)
from hub.credentials.jsonld.loader import _options, _pyld_errors
from hub.credentials.jsonld.vocabulary import NQUADS


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with a work budget, because a crafted graph of 7 blank nodes ran 7 s."""

    def __init__(self) -> None:
        super().__init__()
        self.hash_n_degree_calls = 0
        self.hash_n_degree_depth = 0
        self.hash_n_degree_permutations = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self.hash_n_degree_calls += 1
        if self.hash_n_degree_calls > MAX_HASH_N_DEGREE_CALLS:
            raise DocumentTooComplexError(
                "MAX_HASH_N_DEGREE_CALLS", self.hash_n_degree_calls, MAX_HASH_N_DEGREE_CALLS
            )
        self.hash_n_degree_depth += 1
        try:
            if self.hash_n_degree_depth > MAX_HASH_N_DEGREE_DEPTH:
                raise DocumentTooComplexError(
                    "MAX_HASH_N_DEGREE_DEPTH", self.hash_n_degree_depth, MAX_HASH_N_DEGREE_DEPTH
                )
            return super().hash_n_degree_quads(id_, issuer)
        finally:
            self.hash_n_degree_depth -= 1

    def create_hash_to_related(self, id_: str, issuer: Any) -> Any:
        # Counted before pyld iterates, so that a group of a dozen costs nothing.
        related = super().create_hash_to_related(id_, issuer)
        for group in related.values():
            self.hash_n_degree_permutations += math.factorial(min(len(group), 20))
        if self.hash_n_degree_permutations > MAX_HASH_N_DEGREE_PERMUTATIONS:
            raise DocumentTooComplexError(
                "MAX_HASH_N_DEGREE_PERMUTATIONS",
                self.hash_n_degree_permutations,
                MAX_HASH_N_DEGREE_PERMUTATIONS,
            )
        return related


def _canonicalize_bounded(document: Mapping[str, Any]) -> str:
    """Canonicalise with pyld as jsonld.normalize does, after checking the blank node count."""
    dataset = _to_dataset(document)
    blank_nodes = {
        term["value"]
        for triples in dataset.values()
        for triple in triples
        for term in (triple["subject"], triple["object"])
        if term["type"] == "blank node"
    }
    blank_nodes.update(name for name in dataset if name.startswith("_:"))
    if len(blank_nodes) > MAX_BLANK_NODES:
        raise DocumentTooComplexError("MAX_BLANK_NODES", len(blank_nodes), MAX_BLANK_NODES)
    return str(_BoundedURDNA2015().main(dataset, {"format": NQUADS}))


def _to_dataset(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    with _pyld_errors():
        dataset: dict[str, list[dict[str, Any]]] = jsonld.to_rdf(dict(document), _options())
    return dataset
