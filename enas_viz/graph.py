"""Architecture DAGs as ``networkx.DiGraph``: the conventions every view shares.

Every node has the attributes ``op`` (the op name, or a role word such as ``input``,
``add``, ``concat``), ``op_id`` (the token value, or -1 for structural nodes), ``role``
and ``label`` (what a drawing prints). Every edge has ``kind``.

macro (what the authors' child network computes, ``general_child.py``):
    node 0 is the stem conv, node L+1 is layer L (0-based), node N+1 the output head
    (global average pool + fully connected). Layer L always reads node L, the previous
    layer (edge kind ``chain``); skip bit k of layer L adds node k (kind ``skip``), so
    bit 0 is the stem. Layers after which the network halves its resolution (the
    factorized reductions at ``pool_layers``) carry ``reduction=True``.
micro (``micro_child.py``), per cell ``normal`` and ``reduce``, node ids are strings
    ``"<cell>:<name>"``: inputs ``:0`` (the cell two back, c[k-2]) and ``:1`` (the
    previous cell, c[k-1]); node c (2..) is an ``add`` of two op nodes ``:<c>x`` and
    ``:<c>y``, each applying its op to its input node; ``:out`` concatenates every node,
    inputs included, that no node uses. Edges: input -> op node (``input``), op node ->
    add (``op``), unused node -> out (``concat``).
rnn (``ptb_enas_child.py``): nodes ``"x[t]"`` and ``"h[t-1]"`` feed node 0; node i
    (int) applies its activation to its previous node; ``"avg"`` averages the loose
    ends (nodes no node uses; every node 1..N for enas_lm) and feeds ``"h[t]"``.
"""

from __future__ import annotations

import networkx as nx

__all__ = ["to_networkx", "macro_pool_layers", "node_ids"]


def macro_pool_layers(num_layers: int) -> list[int]:
    """Layers after which the macro child halves resolution (``general_child.py``)."""
    distance = num_layers // 3
    return [distance - 1, 2 * distance - 1] if distance > 0 else []


def to_networkx(arc) -> nx.DiGraph:
    """The DAG of ``arc``; see the module docstring for node and edge conventions."""
    graph = nx.DiGraph(space=arc.space, arc=str(arc), **{k: v for k, v in arc.params.items()})
    {"macro": _macro, "micro": _micro, "rnn": _rnn}[arc.space](arc, graph)
    return graph


def node_ids(space: str, **params) -> list:
    """Every node id an arc of this space and size can have, in drawing order."""
    if space == "macro":
        return list(range(params["num_layers"] + 2))
    if space == "micro":
        cells = ("normal", "reduce") if params.get("reduce", True) else ("normal",)
        out = []
        for cell in cells:
            out += [f"{cell}:0", f"{cell}:1"]
            for c in range(2, params["num_cells"] + 2):
                out += [f"{cell}:{c}x", f"{cell}:{c}y", f"{cell}:{c}"]
            out.append(f"{cell}:out")
        return out
    return ["x[t]", "h[t-1]", *range(params["num_nodes"]), "avg", "h[t]"]


def _macro(arc, g: nx.DiGraph) -> None:
    n = arc.params["num_layers"]
    reductions = set(macro_pool_layers(n))
    g.add_node(0, op="stem", op_id=-1, role="stem", label="stem conv3x3")
    for layer, (op, skips) in enumerate(arc.layers):
        node = layer + 1
        if isinstance(op, tuple):  # not whole channels: (start, count) per branch
            name, op_id = "branches " + " ".join(f"{s}+{c}" for s, c in zip(op[::2], op[1::2], strict=True)), -1
        else:
            name, op_id = arc.ops[op], op
        g.add_node(
            node,
            op=name,
            op_id=op_id,
            role="layer",
            layer=layer,
            reduction=layer in reductions,
            label=f"{layer}: {name}",
        )
        g.add_edge(node - 1, node, kind="chain")
        for k, bit in enumerate(skips):
            if bit:
                g.add_edge(k, node, kind="skip")
    g.add_node(n + 1, op="output", op_id=-1, role="output", label="avg pool + fc")
    g.add_edge(n, n + 1, kind="chain")


def _micro(arc, g: nx.DiGraph) -> None:
    for cell, quads in arc.cells.items():
        g.add_node(f"{cell}:0", op="input", op_id=-1, role="input", cell=cell, label="c[k-2]")
        g.add_node(f"{cell}:1", op="input", op_id=-1, role="input", cell=cell, label="c[k-1]")
        used = set()
        for i, (x_id, x_op, y_id, y_op) in enumerate(quads):
            c = i + 2
            add = f"{cell}:{c}"
            g.add_node(add, op="add", op_id=-1, role="node", cell=cell, label=f"node {c}")
            for side, src, op in (("x", x_id, x_op), ("y", y_id, y_op)):
                op_node = f"{cell}:{c}{side}"
                g.add_node(op_node, op=arc.ops[op], op_id=op, role="op", cell=cell, label=arc.ops[op])
                g.add_edge(f"{cell}:{src}", op_node, kind="input")
                g.add_edge(op_node, add, kind="op")
                used.add(src)
        out = f"{cell}:out"
        g.add_node(out, op="concat", op_id=-1, role="output", cell=cell, label=f"{cell} out")
        for node in range(len(quads) + 2):
            if node not in used:
                g.add_edge(f"{cell}:{node}", out, kind="concat")


def _rnn(arc, g: nx.DiGraph) -> None:
    g.add_node("x[t]", op="input", op_id=-1, role="input", label="x[t]")
    g.add_node("h[t-1]", op="input", op_id=-1, role="input", label="h[t-1]")
    used = set()
    for node, (prev, func) in enumerate(arc.nodes):
        g.add_node(node, op=arc.ops[func], op_id=func, role="node", label=f"{node}: {arc.ops[func]}")
        if prev is None:
            g.add_edge("x[t]", node, kind="input")
            g.add_edge("h[t-1]", node, kind="input")
        else:
            g.add_edge(prev, node, kind="chain")
            used.add(prev)
    g.add_node("avg", op="avg", op_id=-1, role="output", label="avg")
    g.add_node("h[t]", op="output", op_id=-1, role="output", label="h[t]")
    every = arc.params.get("encoding") == "enas_lm"
    for node in range(len(arc.nodes)):
        if (every and node > 0) or (not every and node not in used):
            g.add_edge(node, "avg", kind="average")
    g.add_edge("avg", "h[t]", kind="output")
