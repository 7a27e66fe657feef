"""Benchmarks (`make bench`) and the request shapes they share with the tests.

`Page` does what the browser's Dash renderer does after a page load: it reads the callbacks from
/_dash-dependencies and the component IDs from /_dash-layout, and builds the exact JSON a browser
posts to /_dash-update-component for a callback, pattern-matching (ALL) outputs and inputs included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Prop = tuple[str, str]
SECTIONS_OUTPUT = '"type":"sti-graph"'  # in the output of the one callback that fills every section
ComponentId = str | dict[str, Any]


def id_text(cid: ComponentId) -> str:
    """An ID as the renderer writes it in `changedPropIds` and `output` (dict IDs: sorted JSON)."""
    if isinstance(cid, str):
        return cid
    return json.dumps(cid, sort_keys=True, separators=(",", ":"))


def layout_ids(node: Any) -> Iterator[ComponentId]:
    """Every component ID in a /_dash-layout tree."""
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            props = node["props"]
            if "id" in props:
                yield props["id"]
            for value in props.values():
                yield from layout_ids(value)
        else:
            for value in node.values():
                yield from layout_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from layout_ids(value)


def _matches(spec: dict[str, Any], cid: ComponentId) -> bool:
    if not isinstance(cid, dict) or set(cid) != set(spec):
        return False
    return all(v == ["ALL"] or v == cid[k] for k, v in spec.items())


def _spec_id(text: str) -> ComponentId:
    return json.loads(text) if text.startswith("{") else text


def _outputs(output: str) -> list[tuple[ComponentId, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(_spec_id(p.rsplit(".", 1)[0]), p.rsplit(".", 1)[1]) for p in parts]


class Page:
    """A page's callbacks and components, as a browser has them after loading it."""

    def __init__(self, dependencies: list[dict[str, Any]], layout: Any) -> None:
        self.dependencies = dependencies
        self.ids = list(layout_ids(layout))

    @classmethod
    def load(cls, get: Callable[..., Any], query: str = "") -> Page:
        """Read /_dash-dependencies and /_dash-layout with `get(path[, query]) -> decoded JSON`; `query` is the
        page's own query string (e.g. '?section=seismic'), which a browser names in the Referer header."""
        layout = get("/_dash-layout", query) if query else get("/_dash-layout")
        return cls(get("/_dash-dependencies"), layout)

    def callback(self, output: str) -> dict[str, Any]:
        """The callback whose output string contains `output` (e.g. SECTIONS_OUTPUT, 'filter-year.options')."""
        found = [d for d in self.dependencies if output in d["output"]]
        if len(found) != 1:
            raise KeyError(f"{len(found)} callbacks with an output matching {output!r}")
        return found[0]

    def resolve(self, cid: ComponentId) -> list[ComponentId]:
        """The components an ID (or an ALL pattern) stands for on this page."""
        if isinstance(cid, dict) and any(v == ["ALL"] for v in cid.values()):
            return [i for i in self.ids if _matches(cid, i)]
        return [cid]

    def body(
        self,
        dep: dict[str, Any],
        values: Mapping[Prop, Any] | None = None,
        changed: str = "",
        default: Any = None,
    ) -> dict[str, Any]:
        """The request body for callback `dep`, with input/state values by (ID text, property)."""
        values = values or {}

        def item(cid: ComponentId, prop: str) -> dict[str, Any]:
            return {"id": cid, "property": prop, "value": values.get((id_text(cid), prop), default)}

        def side(specs: list[dict[str, Any]]) -> list[Any]:
            out = []
            for spec in specs:
                cid = spec["id"] if isinstance(spec["id"], dict) else _spec_id(spec["id"])
                many = isinstance(cid, dict) and any(v == ["ALL"] for v in cid.values())
                found = [item(c, spec["property"]) for c in self.resolve(cid)]
                out.append(found if many else found[0])
            return out

        outs = []
        for cid, prop in _outputs(dep["output"]):
            many = isinstance(cid, dict) and any(v == ["ALL"] for v in cid.values())
            found = [{"id": c, "property": prop} for c in self.resolve(cid)]
            outs.append(found if many else found[0])
        first = dep["inputs"][0]
        return {
            "output": dep["output"],
            "outputs": outs if dep["output"].startswith("..") else outs[0],
            "inputs": side(dep["inputs"]),
            "state": side(dep.get("state", [])),
            "changedPropIds": [changed or f"{first['id']}.{first['property']}"],
        }
