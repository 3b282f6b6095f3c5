"""Substitution of a document's values into a template, and RDFC-1.0 canonical labels.

Implements the first-degree part of RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation, 21
May 2024): when every blank node has a unique first-degree hash, step 5 issues every canonical
identifier in hash order and Hash N-Degree Quads never runs. Lines are RDF 1.1 N-Quads in the exact
line format of pyld's URDNA2015.
"""

from __future__ import annotations

import hashlib

from pyld.nquads import escape as escape_literal

from hub.credentials.jsonld.templates import _Template
from hub.credentials.jsonld.vocabulary import RDF_TYPE


def _line(terms: list[str], quad: tuple[int, int, int, int]) -> str:
    subject, predicate, obj, graph = quad
    if graph < 0:
        return f"{terms[subject]} {terms[predicate]} {terms[obj]} .\n"
    return f"{terms[subject]} {terms[predicate]} {terms[obj]} {terms[graph]} .\n"


def _canonicalize_with_template(template: _Template, values: list[str]) -> str | None:
    terms, lines = _substitute(template, values)
    dropped: frozenset[int] = frozenset()
    if len(set(lines)) != len(lines):
        duplicates = _duplicates(template, lines)
        if duplicates is None:
            return None
        dropped = duplicates
    if template.blank_node_quads:
        labels = _issue_canonical_labels(terms, template.quads, template.blank_node_quads, dropped)
        if labels is None:
            return None
        _relabel(template, terms, lines, labels)
    return _join_sorted(lines, dropped)


def _substitute(template: _Template, values: list[str]) -> tuple[list[str], list[str]]:
    """Build the document's term table and its N-Quads lines, blank nodes not yet canonical."""
    terms = template.fixed_terms.copy()
    terms += [f"<{values[slot]}>" for slot in template.iri_slots]
    terms += [
        f'"{escape_literal(values[slot])}"{suffix}' for slot, suffix in template.literal_slots
    ]
    return terms, [_line(terms, quad) for quad in template.quads]


def _relabel(
    template: _Template, terms: list[str], lines: list[str], labels: dict[int, str]
) -> None:
    for position, label in labels.items():
        terms[position] = label
    for number in template.blank_quads:
        lines[number] = _line(terms, template.quads[number])


def _join_sorted(lines: list[str], dropped: frozenset[int]) -> str:
    if dropped:
        lines = [line for number, line in enumerate(lines) if number not in dropped]
    lines.sort()
    return "".join(lines)


def _duplicates(template: _Template, lines: list[str]) -> frozenset[int] | None:
    """Find quads that became equal after substitution and that pyld would have merged too.

    pyld merges nodes with the same id and keeps one copy of each equal value: node references
    and types always, literals only when their value objects match (same @type, @language and
    @index). Any other coincidence (a literal from a number and one from a string, two empty
    lists, rdf:type written as a property) is left to pyld; None means so. Returns the numbers
    of the quads to drop.
    """
    groups: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        groups.setdefault(line, []).append(number)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) > 1:
            if not _is_mergeable(template, members):
                return None
            dropped.update(members[1:])
    return frozenset(dropped)


def _is_mergeable(template: _Template, members: list[int]) -> bool:
    analysis = template.analysis
    if analysis is None:
        return False  # only unusable templates lack an analysis
    origins = {template.object_origins[number] for number in members}
    if origins == {"node"}:
        predicate = template.quads[members[0]][1]
        if predicate >= len(template.fixed_terms):
            return False  # a slot as predicate has never been seen, so it is not trusted
        is_type = template.fixed_terms[predicate] == f"<{RDF_TYPE}>"
        return not is_type or not analysis.has_explicit_rdf_type
    if origins == {"slot"}:
        keys = analysis.value_keys
        found = {keys.get(template.slot_of_object(number)) for number in members}
        return len(found) == 1 and None not in found
    return False


def _issue_canonical_labels(
    terms: list[str],
    quads: list[tuple[int, int, int, int]],
    blank_node_quads: dict[int, list[int]],
    dropped: frozenset[int],
) -> dict[int, str] | None:
    """Label blank nodes by RDFC-1.0 when all first-degree hashes differ; None otherwise.

    With unique first-degree hashes, step 5 of RDFC-1.0 issues every canonical identifier in
    hash order and Hash N-Degree Quads never runs. Shared hashes go to pyld, under limits.
    """
    hash_terms = terms.copy()
    for position in blank_node_quads:
        hash_terms[position] = "_:z"
    hashes: dict[int, str] = {}
    for position, numbers in blank_node_quads.items():
        hash_terms[position] = "_:a"
        nquads = sorted(_line(hash_terms, quads[n]) for n in numbers if n not in dropped)
        hash_terms[position] = "_:z"
        hashes[position] = hashlib.sha256("".join(nquads).encode()).hexdigest()
    if len(set(hashes.values())) != len(hashes):
        return None
    ordered = sorted(hashes, key=hashes.__getitem__)
    return {position: f"_:c14n{number}" for number, position in enumerate(ordered)}
