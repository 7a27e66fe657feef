"""Benchmarks (`make bench`) and the request shape they share with the tests."""

from __future__ import annotations

from typing import Any

Prop = tuple[str, str]


def callback_body(
    outputs: list[Prop], inputs: list[tuple[str, str, Any]], state: list[tuple[str, str, Any]] = (), changed: str = ""
) -> dict[str, Any]:
    """The JSON a browser posts to /_dash-update-component for a callback with these outputs and inputs."""
    joined = "...".join(f"{i}.{p}" for i, p in outputs)
    many = len(outputs) > 1
    return {
        "output": f"..{joined}.." if many else joined,
        "outputs": [{"id": i, "property": p} for i, p in outputs]
        if many
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
    }
