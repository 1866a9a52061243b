"""Skeleton: named nodes, directed edges and symmetric pairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from pose_domain.errors import SkeletonMismatchError


def _tuple_of_str(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _tuple_of_pairs(values: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in values)


@attrs.frozen
class Skeleton:
    """Nodes (in confidence-map channel order), edges and symmetries, as node indices.

    Attributes:
        nodes: Node names; their order is the order of every ``(n_nodes, ...)`` array.
        edges: Directed ``(source, destination)`` node-index pairs (PAF channel order).
        symmetries: Unordered node-index pairs that mirror each other (left/right).
        name: Optional skeleton name.
    """

    nodes: tuple[str, ...] = attrs.field(converter=_tuple_of_str)
    edges: tuple[tuple[int, int], ...] = attrs.field(factory=tuple, converter=_tuple_of_pairs)
    symmetries: tuple[tuple[int, int], ...] = attrs.field(
        factory=tuple, converter=_tuple_of_pairs
    )
    name: str = ""

    @nodes.validator
    def _check_nodes(self, _: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
        if len(set(value)) != len(value):
            raise SkeletonMismatchError(f"skeleton node names are not unique: {list(value)}")

    def __attrs_post_init__(self) -> None:
        n = len(self.nodes)
        for a, b in (*self.edges, *self.symmetries):
            if not (0 <= a < n and 0 <= b < n):
                raise SkeletonMismatchError(
                    f"skeleton pair ({a}, {b}) refers to a node outside 0..{n - 1}"
                )

    @classmethod
    def from_names(
        cls,
        nodes: Sequence[str],
        edges: Sequence[tuple[str, str]] = (),
        symmetries: Sequence[tuple[str, str]] = (),
        name: str = "",
    ) -> Skeleton:
        """Build a skeleton from node names and name pairs."""
        index = {n: i for i, n in enumerate(nodes)}
        try:
            e = [(index[a], index[b]) for a, b in edges]
            s = [(index[a], index[b]) for a, b in symmetries]
        except KeyError as exc:
            raise SkeletonMismatchError(f"skeleton edge names unknown node {exc}") from None
        return cls(nodes=nodes, edges=e, symmetries=s, name=name)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return len(self.edges)

    @property
    def edge_names(self) -> list[tuple[str, str]]:
        return [(self.nodes[a], self.nodes[b]) for a, b in self.edges]

    def index(self, node: str) -> int:
        """Index of a node by name; raises :class:`SkeletonMismatchError` if unknown."""
        try:
            return self.nodes.index(node)
        except ValueError:
            raise SkeletonMismatchError(
                f"node '{node}' is not in the skeleton", hint=f"nodes are {list(self.nodes)}"
            ) from None

    def flip_indices(self) -> list[int]:
        """Node permutation that swaps every symmetric pair."""
        perm = list(range(self.n_nodes))
        for a, b in self.symmetries:
            perm[a], perm[b] = b, a
        return perm

    def matches(self, other: Skeleton) -> bool:
        """True when both skeletons have the same node names in the same order."""
        return self.nodes == other.nodes
