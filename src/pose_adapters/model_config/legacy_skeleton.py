"""SLEAP ≤1.4 skeletons: jsonpickle'd networkx node-link graphs, read without jsonpickle."""

from __future__ import annotations

from typing import Any

from pose_adapters.model_config.defaults import dig
from pose_domain.errors import ModelLoadError
from pose_domain.skeleton import Skeleton


def skeleton_from_jsonpickle(d: Any) -> Skeleton:
    """Read a SLEAP jsonpickle'd networkx node-link skeleton without running jsonpickle.

    Objects tagged ``py/object`` or ``py/reduce`` are numbered 1, 2, … in document order, which
    is how ``{"py/id": n}`` back-references count them. Node names come from ``py/state``
    (a ``py/tuple`` ``[name, weight]`` or a dict with ``name``); edge type 1 is a body edge and
    2 a symmetry.

    Raises:
        ModelLoadError: The graph, a node or an edge has an unknown form.
    """
    objects: list[Any] = []

    def node_name(obj: dict[str, Any]) -> str:
        state = obj.get("py/state")
        if isinstance(state, dict):
            if "py/tuple" in state:
                return str(state["py/tuple"][0])
            return str(state.get("name"))
        return str(state)

    def resolve(value: Any) -> Any:
        """Register objects (in document order) and return a plain value for ``value``."""
        if isinstance(value, dict):
            if "py/id" in value and len(value) == 1:
                idx = int(value["py/id"]) - 1
                return objects[idx] if 0 <= idx < len(objects) else None
            if "py/object" in value:
                slot = len(objects)
                objects.append(None)
                objects[slot] = ("node", node_name(value))
                return objects[slot]
            if "py/reduce" in value:
                args = value["py/reduce"]
                arg = args[1] if len(args) > 1 else None
                n = None
                if isinstance(arg, dict) and "py/tuple" in arg and arg["py/tuple"]:
                    n = arg["py/tuple"][0]
                slot = len(objects)
                objects.append(("enum", n))
                return objects[slot]
            if "py/tuple" in value:
                return [resolve(v) for v in value["py/tuple"]]
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    graph = resolve(d)
    if not isinstance(graph, dict):
        raise ModelLoadError("legacy skeleton in training_config.json is not a node-link graph")
    nodes: list[str] = []
    for entry in graph.get("nodes") or []:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(ref, tuple) and ref[0] == "node":
            nodes.append(str(ref[1]))
        elif isinstance(ref, dict) and "name" in ref:  # plain dicts from other writers
            nodes.append(str(ref["name"]))
        else:
            raise ModelLoadError("cannot read a node of the legacy skeleton (unknown format)")
    edges: list[tuple[str, str]] = []
    syms: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for link in graph.get("links") or graph.get("edges") or []:
        src, dst, etype = link.get("source"), link.get("target"), link.get("type")
        if not (isinstance(src, tuple) and isinstance(dst, tuple)):
            raise ModelLoadError("cannot read an edge of the legacy skeleton (unknown format)")
        kind = etype[1] if isinstance(etype, tuple) else 1
        pair = (str(src[1]), str(dst[1]))
        if kind == 2:
            if frozenset(pair) not in seen:
                seen.add(frozenset(pair))
                syms.append(pair)
        else:
            edges.append(pair)
    name = dig(graph, "graph", "name") or ""
    return Skeleton.from_names(nodes, edges, syms, name=str(name))
