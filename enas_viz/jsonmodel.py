"""JSON model descriptions: tobegit3hub/enas_model's and carpedm20's dag files.

enas_model (``cell_type`` ``rnn``, ``cnn_micro`` or ``cnn_marco`` [sic]) names ops with
its own words (``3_3_convolution``, ``3_3_max_polling`` [sic]); its op tables number
them differently from the authors'. Ops are matched by name, so the tokens that come
back follow the authors' table. A ``cnn_micro`` file holds one cell; ours adds the
reduce cell as ``reduce_nodes``. carpedm20's ``dag.json`` maps a source node to its
children ``[id, name]``, with -1 = x[t], -2 = h[t-1].
"""

from __future__ import annotations

import json
import re

from .arcs import Arc, ArcError, parse_arc
from .spaces import op_table

__all__ = ["to_json_model", "from_json_model", "from_carpedm20_dag"]

# our op name -> enas_model's word for it
_MODEL_WORDS = {
    "conv3x3": "3_3_convolution",
    "conv5x5": "5_5_convolution",
    "sep_conv3x3": "depthwise_3_3_convolution",
    "sep_conv5x5": "depthwise_5_5_convolution",
    "avg_pool3x3": "3_3_average_polling",
    "max_pool3x3": "3_3_max_polling",
    "identity": "identity",
    "tanh": "tanh",
    "relu": "relu",
    "sigmoid": "sigmoid",
}
# enas_model's micro example calls the separable convolutions plain convolutions
_MICRO_WORDS = {**_MODEL_WORDS, "sep_conv3x3": "3_3_convolution", "sep_conv5x5": "5_5_convolution"}


def _word(op: str, words: dict) -> str:
    return words.get(op, op)


def _op_id(word: str, arc_ops: tuple[str, ...], words: dict, where: str) -> int:
    """The op id of enas_model's ``word`` in our table ``arc_ops``."""
    w = word.strip().lower().replace("pooling", "polling")
    for i, op in enumerate(arc_ops):
        if w in (op.lower(), _word(op, words), _word(op, _MODEL_WORDS)):  # micro files may say depthwise_*
            return i
    for i, op in enumerate(arc_ops):  # "5_5_average_polling": size differs, kind matches
        kind = re.sub(r"^\d+_\d+_", "", _word(op, words))
        if kind.endswith("polling") and w.endswith(kind):
            return i
    raise ArcError(f"{where}: unknown operation {word!r}; known: {[_word(o, words) for o in arc_ops]}")


def to_json_model(arc: Arc) -> dict:
    """The enas_model JSON description of ``arc`` (a dict, ready for ``json.dump``)."""
    if arc.space == "rnn":
        nodes = []
        for i, (prev, func) in enumerate(arc.nodes):
            node = {"index": i, "activation_function": _word(arc.ops[func], _MODEL_WORDS)}
            if prev is not None:
                node["previous_index"] = prev
            nodes.append(node)
        out = {"cell_type": "rnn", "original_arc": str(arc), "nodes": nodes}
        if arc.params.get("encoding") == "enas_lm":  # node 0 is a fixed tanh; the output averages every node
            out["encoding"] = "enas_lm"
        return out
    if arc.space == "micro":
        out = {"cell_type": "cnn_micro", "original_arc": str(arc)}
        for key, cell in (("nodes", "normal"), ("reduce_nodes", "reduce")):
            if cell in arc.cells:
                out[key] = [
                    {
                        "index": i + 2,
                        "previous_index1": x_id,
                        "operation1": _word(arc.ops[x_op], _MICRO_WORDS),
                        "previous_index2": y_id,
                        "operation2": _word(arc.ops[y_op], _MICRO_WORDS),
                    }
                    for i, (x_id, x_op, y_id, y_op) in enumerate(arc.cells[cell])
                ]
        return out
    if not arc.params["whole_channels"]:
        raise ArcError("enas_model JSON describes whole-channels macro arcs only")
    nodes = []
    for i, (op, skips) in enumerate(arc.layers):
        node = {"index": i, "operation": _word(arc.ops[op], _MODEL_WORDS)}
        if i:
            node["previous_indexes"] = ", ".join(str(k) for k, b in enumerate(skips) if b)
        nodes.append(node)
    return {"cell_type": "cnn_marco", "original_arc": str(arc), "nodes": nodes}


def from_json_model(obj, ops=None) -> Arc:
    """An Arc from an enas_model JSON description, a carpedm20 dag, or their JSON text."""
    if isinstance(obj, (str, bytes)):
        obj = json.loads(obj)
    if not isinstance(obj, dict):
        raise ArcError(f"a JSON model is an object, not {type(obj).__name__}")
    if "-1" in obj or -1 in obj:
        return from_carpedm20_dag(obj)
    kind = obj.get("cell_type")
    nodes = obj.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise ArcError("JSON model: 'nodes' must be a non-empty list")
    nodes = sorted(nodes, key=lambda n: n.get("index", 0))
    if kind in ("rnn", "dnn"):
        encoding = obj.get("encoding", "enas")
        names = op_table("rnn", 4, ops, encoding)
        tokens = []
        for i, node in enumerate(nodes):
            func = _op_id(_get(node, "activation_function", i), names, _MODEL_WORDS, f"node {i}")
            if i > 0:
                tokens.append(int(_get(node, "previous_index", i)))
            if i > 0 or encoding != "enas_lm":  # enas_lm's node 0 has no token
                tokens.append(func)
        return parse_arc(tokens, "rnn", ops=ops, encoding=encoding)
    if kind == "cnn_micro":
        cells = [nodes] + ([sorted(obj["reduce_nodes"], key=lambda n: n["index"])] if obj.get("reduce_nodes") else [])
        names = op_table("micro", 5, ops)
        tokens = []
        for cell in cells:
            for node in cell:
                i = node.get("index")
                for k in ("1", "2"):
                    tokens += [
                        int(_get(node, "previous_index" + k, i)),
                        _op_id(_get(node, "operation" + k, i), names, _MICRO_WORDS, f"node {i}"),
                    ]
        return parse_arc(tokens, "micro", ops=ops, reduce=len(cells) == 2)
    if kind in ("cnn_marco", "cnn_macro"):
        names = op_table("macro", 6, ops)
        tokens = []
        for i, node in enumerate(nodes):
            tokens.append(_op_id(_get(node, "operation", i), names, _MODEL_WORDS, f"node {i}"))
            prev = str(node.get("previous_indexes", "")).replace(",", " ").split()
            bits = [0] * i
            for k in map(int, prev):
                if k >= i:
                    raise ArcError(f"node {i}: previous index {k} is not an earlier layer")
                bits[k] = 1
            tokens += bits
        return parse_arc(tokens, "macro", ops=ops)
    raise ArcError(f"JSON model: unknown cell_type {kind!r}; expected 'rnn', 'cnn_micro' or 'cnn_marco'")


def _get(node: dict, key: str, where):
    if key not in node:
        raise ArcError(f"JSON model node {where}: missing {key!r}")
    return node[key]


def from_carpedm20_dag(obj) -> Arc:
    """An rnn Arc from carpedm20/ENAS-pytorch's ``dag.json`` (``{src: [[id, name], ...]}``)."""
    if isinstance(obj, (str, bytes)):
        obj = json.loads(obj)
    dag = {int(k): [(int(c[0]), str(c[1])) for c in v] for k, v in obj.items()}
    avg = [cid for children in dag.values() for cid, name in children if name == "avg"]
    if not avg:
        raise ArcError("carpedm20 dag: no 'avg' node")
    num_nodes = avg[0]
    lookup = {name.lower(): i for i, name in enumerate(op_table("rnn", 4))}
    funcs, prevs = {}, {}
    for src, children in dag.items():
        for cid, name in children:
            if cid >= num_nodes:
                continue
            if name.lower() not in lookup:
                raise ArcError(f"carpedm20 dag: node {cid} has unknown activation {name!r}")
            funcs[cid] = lookup[name.lower()]
            if src >= 0:
                prevs[cid] = src
    missing = [i for i in range(num_nodes) if i not in funcs or (i and i not in prevs)]
    if missing:
        raise ArcError(f"carpedm20 dag: nodes {missing} have no parent")
    tokens = [funcs[0]]
    for i in range(1, num_nodes):
        tokens += [prevs[i], funcs[i]]
    return parse_arc(tokens, "rnn")
