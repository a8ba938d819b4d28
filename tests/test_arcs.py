"""Arc strings: every example of the formats reference (§2) and every arc of the real logs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import enas_viz as ev

REAL_LOGS = Path(__file__).resolve().parents[1].parent / "shared" / "real_logs"

# scripts/cifar10_macro_final.sh, verbatim (24 layers, 300 tokens)
MACRO_FINAL_SH = """
fixed_arc="0"
fixed_arc="$fixed_arc 3 0"
fixed_arc="$fixed_arc 0 1 0"
fixed_arc="$fixed_arc 2 0 0 1"
fixed_arc="$fixed_arc 2 0 0 0 0"
fixed_arc="$fixed_arc 3 1 1 0 1 0"
fixed_arc="$fixed_arc 2 0 0 0 0 0 1"
fixed_arc="$fixed_arc 2 0 1 1 0 1 1 1"
fixed_arc="$fixed_arc 1 0 1 1 1 0 1 0 1"
fixed_arc="$fixed_arc 0 0 0 0 0 0 0 0 0 0"
fixed_arc="$fixed_arc 2 0 0 0 0 0 1 0 0 0 0"
fixed_arc="$fixed_arc 0 1 0 0 1 1 0 0 0 0 1 1"
fixed_arc="$fixed_arc 2 0 1 0 0 0 0 0 1 0 1 1 0"
fixed_arc="$fixed_arc 1 0 0 1 0 0 0 1 1 1 0 1 0 1"
fixed_arc="$fixed_arc 0 1 1 0 1 0 1 0 0 0 0 0 1 0 0"
fixed_arc="$fixed_arc 2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1"
fixed_arc="$fixed_arc 2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0"
fixed_arc="$fixed_arc 2 0 0 0 0 1 0 1 0 1 0 0 1 0 1 0 0 1"
fixed_arc="$fixed_arc 3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0"
fixed_arc="$fixed_arc 3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1"
fixed_arc="$fixed_arc 0 1 0 0 1 0 1 1 0 0 0 1 0 0 0 0 0 1 1 0 0"
fixed_arc="$fixed_arc 3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0"
fixed_arc="$fixed_arc 0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 0"
fixed_arc="$fixed_arc 0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0"
"""
AEROBI_SH = """fixed_arc="0"
fixed_arc="$fixed_arc 5 0"
fixed_arc="$fixed_arc 3 1 1"
fixed_arc="$fixed_arc 4 0 0 1"
fixed_arc="$fixed_arc 4 0 0 0 0"
fixed_arc="$fixed_arc 5 1 0 0 0 0"
fixed_arc="$fixed_arc 2 0 0 0 0 0 0"
"""
GLUED_FLAG = (
    "child_fixed_arc4 2 0 1 1 1 4 1 0 0 2 0 0 1 0 3 0 0 1 1 0 3 1 0 0 1 1 1 1 0 0 0 1 1 0 1 4 0 1 0 1 0 1 1 0 "
    "2 1 1 1 0 0 1 0 0 1 3 0 0 0 0 0 1 0 1 1 1 4 1 0 0 0 0 0 0 0 1 0 0"
)
MICRO_FINAL_SH = """fixed_arc="0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1"
fixed_arc="$fixed_arc 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1"
"""
MICRO_STRINGS = [
    "1 2 1 3 0 1 0 4 1 1 1 1 0 1 0 1 1 0 0 1 0 1 0 4 1 0 2 0 0 3 1 1 0 0 0 0 4 1 1 0",  # MINGUKKANG MNIST
    "1 0 1 1 1 1 0 0 1 1 0 0 0 3 0 3 1 3 1 1 1 1 0 3 0 3 0 3 1 3 0 1 1 3 0 2 0 3 1 0",  # MINGUKKANG CIFAR-10
    "1 0 0 1 0 0 1 1 2 2 1 1 1 1 1 2 1 0 0 0 0 0 0 3 2 2 1 0 2 0 2 3 0 3 4 0 1 0 3 2",  # MINGUKKANG Welding
    "1 1 0 1 1 0 0 0 3 1 0 1 1 4 1 1 0 1 0 1 1 4 1 2 1 4 1 0 0 4 1 0 0 4 0 3 0 0 1 1",  # BeautyMess micro final
]
PTB_FINAL = "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1"


def test_macro_final_script_round_trips_and_decodes():
    arc = ev.parse_arc(MACRO_FINAL_SH, space="macro")
    assert arc.params["num_layers"] == 24 and len(arc.tokens) == 300
    assert ev.parse_arc(str(arc), space="macro") == arc
    assert ev.parse_arc(arc.format("shell"), space="macro") == arc
    # decoded in the reference: L0 conv3x3; L1 sep5x5 [0]; L2 conv3x3 [1,0]; L3 conv5x5 [0,0,1]; L4 conv5x5 [0,0,0,0]
    assert [arc.ops[op] for op, _ in arc.layers[:5]] == ["conv3x3", "sep_conv5x5", "conv3x3", "conv5x5", "conv5x5"]
    assert arc.layers[3][1] == (0, 0, 1)
    graph = arc.to_networkx()
    skips = sum(len(bits) and sum(bits) for _, bits in arc.layers)
    assert graph.number_of_nodes() == 24 + 2
    assert graph.number_of_edges() == 24 + 1 + skips  # chain into every layer, the head, and each skip


def test_aerobi_macro_decodes_to_the_documented_dag():
    arc = ev.parse_arc(AEROBI_SH)  # 28 tokens: only macro fits
    assert arc.space == "macro" and arc.params["num_layers"] == 7
    # conv3 | max [0] | sep5 [1,1] | avg [0,0,1] | avg [0,0,0,0] | max [1,0,0,0,0] | conv5 [0,0,0,0,0,0]
    assert [arc.ops[op] for op, _ in arc.layers] == [
        "conv3x3", "max_pool3x3", "sep_conv5x5", "avg_pool3x3", "avg_pool3x3", "max_pool3x3", "conv5x5",
    ]  # fmt: skip
    graph = arc.to_networkx()
    assert graph.number_of_nodes() == 9  # stem, 7 layers, output head
    skip_edges = sorted((u, v) for u, v, kind in graph.edges(data="kind") if kind == "skip")
    # layer 2 (node 3) reads stem and layer 0; layer 3 (node 4) reads layer 1 (node 2); layer 5 reads stem
    assert skip_edges == [(0, 3), (0, 6), (1, 3), (2, 4)]
    assert graph.number_of_edges() == 8 + 4
    assert graph.nodes[0]["role"] == "stem" and graph.nodes[8]["role"] == "output"
    assert graph.nodes[6]["op"] == "max_pool3x3"


def test_glued_flag_line_parses():
    arc = ev.parse_arc(GLUED_FLAG, space="macro")
    assert arc.params["num_layers"] == 12 and str(arc).startswith("4 2 0 1 1 1 4")


def test_micro_final_script_decodes_to_the_documented_cells():
    arc = ev.parse_arc(MICRO_FINAL_SH, space="micro")
    assert arc.params["num_cells"] == 5 and len(arc) == 40
    assert arc.cells["normal"][0] == (0, 2, 0, 0)  # node2 = avg_pool(n0) + sep3(n0)
    graph = arc.to_networkx()
    assert sorted(graph.predecessors("normal:out")) == [f"normal:{i}" for i in range(2, 7)]
    assert sorted(graph.predecessors("reduce:out")) == ["reduce:2", "reduce:4", "reduce:5", "reduce:6"]
    assert graph.nodes["reduce:4y"]["op"] == "sep_conv5x5" and list(graph.predecessors("reduce:4y")) == ["reduce:3"]
    # per cell: 2 inputs + 5 adds + 10 op nodes + 1 concat; edges: 10 in->op, 10 op->add, concats 5 + 4
    assert graph.number_of_nodes() == 36
    assert graph.number_of_edges() == 20 + 5 + 20 + 4


@pytest.mark.parametrize("text", MICRO_STRINGS)
def test_real_micro_strings_round_trip(text):
    arc = ev.parse_arc(text, space="micro")
    assert str(arc) == text
    assert ev.parse_arc(arc.format("lines"), space="micro") == arc
    assert ev.from_json_model(ev.to_json_model(arc)) == arc


def test_ptb_final_decodes_loose_ends():
    arc = ev.parse_arc(PTB_FINAL, space="rnn")
    assert arc.params["num_nodes"] == 12
    graph = arc.to_networkx()
    # h_t = mean(n3, n4, n7, n9, n10, n11)
    assert sorted(graph.predecessors("avg")) == [3, 4, 7, 9, 10, 11]
    assert graph.nodes[2]["op"] == "relu" and list(graph.predecessors(2)) == [1]
    assert graph.number_of_nodes() == 16 and graph.number_of_edges() == 2 + 11 + 6 + 1


def test_enas_lm_encoding_averages_every_node():
    arc = ev.parse_arc("0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2", space="rnn", encoding="enas_lm")
    assert arc.params["num_nodes"] == 9 and arc.ops[2] == "sigmoid"
    graph = arc.to_networkx()
    assert sorted(graph.predecessors("avg")) == list(range(1, 9))
    assert graph.nodes[1]["op"] == "sigmoid" and list(graph.predecessors(1)) == [0]


def test_numpy_padded_wrapped_and_comma_forms():
    wrapped = "[ 0  0  0  1  0  2  0  3  0  3  0  4  0  6  0  7  0  5  0  8  0 10\n  0]"
    arc = ev.parse_arc(wrapped, space="rnn")
    assert arc.tokens[-2:] == (10, 0) and len(arc) == 23
    assert str(ev.parse_arc("0, 0 1, 1 0 1, 4 0 1 1, 5 0 1 0 1")) == "0 0 1 1 0 1 4 0 1 1 5 0 1 0 1"
    lines = "[5]\n[2 1]\n[3 1 1]"
    assert str(ev.parse_arc(lines, space="macro")) == "5 2 1 3 1 1"


def test_space_is_inferred_or_ambiguity_reported():
    assert ev.parse_arc(PTB_FINAL).space == "rnn"  # 23 tokens: odd, not triangular
    with pytest.raises(ev.ArcError, match=r"ambiguous: 120 tokens fit macro \(num_layers=15\) and micro"):
        ev.parse_arc(" ".join(["0"] * 120))
    assert ev.parse_arc(" ".join(["0"] * 120), space="micro").params["num_cells"] == 15


@pytest.mark.parametrize(
    ("text", "space", "message"),
    [
        ("0 3 0 0 1 0 5 1 7 0", "macro", r"macro layer 3: skip bit 1 is 7, expected 0 or 1 \(token 8\)"),
        ("6 0", None, r"fit no space"),
        ("0 3 0 0 1", "macro", r"5 tokens is not N\(N\+1\)/2"),
        ("0 0 3 0", "micro", r"not a multiple of 8"),
        ("0 0 2 0 " + "0 0 0 0 " * 9, "micro", r"micro normal node 2: y_id is 2, expected 0..1 \(token 2\)"),
        ("0 0 0 0 " * 9 + "0 9 0 0", "micro", r"micro reduce node 6: x_op is 9, expected 0..4 \(token 37\)"),
        ("0 0 0 5 1", "rnn", r"rnn node 2: previous node is 5, expected 0..1 \(token 3\)"),
        ("0 0 7", "rnn", r"rnn node 1: activation is 7, expected 0..3 \(token 2\)"),
        ("0 3 x 0", "macro", r"token 2 is 'x', expected an integer"),
        ("", "macro", r"empty arc"),
    ],
)
def test_malformed_strings_name_the_position(text, space, message):
    with pytest.raises(ev.ArcError, match=message):
        ev.parse_arc(text, space=space)


def test_quoted_flag_and_float_tokens():
    assert str(ev.parse_arc('--child_fixed_arc="0 3 0"')) == "0 3 0"
    assert str(ev.parse_arc(np.array([0, 3, 0]), space="macro")) == "0 3 0"
    with pytest.raises(ev.ArcError, match=r"token 1 is 3.5, expected an integer"):
        ev.parse_arc(np.array([0.0, 3.5, 0.0]), space="macro")


def test_an_arc_parsed_again_takes_the_space_asked_for():
    macro = ev.parse_arc(" ".join(["0"] * 120), space="macro")
    assert ev.parse_arc(macro) is macro
    micro = ev.parse_arc(macro, space="micro")
    assert micro.space == "micro" and micro.params["num_cells"] == 15 and micro.tokens == macro.tokens


def test_given_size_must_match_the_tokens():
    with pytest.raises(ev.ArcError, match="give num_layers=3, but num_layers=4 was given"):
        ev.parse_arc("0 3 0 0 1 0", space="macro", num_layers=4)


def test_extra_ops_of_forks_can_be_named():
    mobile = ("conv3x3", "sep_conv3x3", "conv5x5", "sep_conv5x5", "avg_pool3x3", "max_pool3x3", "mbconv3x3")
    arc = ev.parse_arc("0 6 0 0 1 0 0 6 " + "0 0 0 0 " * 8, space="micro", ops=mobile)
    assert arc.ops[6] == "mbconv3x3" and arc.to_networkx().nodes["normal:3y"]["op"] == "mbconv3x3"
    unnamed = ev.parse_arc("0 6 0 0 1 0 0 6 " + "0 0 0 0 " * 8, space="micro", num_branches=7)
    assert unnamed.ops[6] == "op6"


def test_macro_not_whole_channels():
    # 2 layers, 2 branches: layer 0 = s0 c0 s1 c1; layer 1 = s0 c0 s1 c1 skip0
    arc = ev.parse_arc("0 3 1 2 4 1 0 5 1", space="macro", whole_channels=False, num_branches=2)
    assert arc.params["num_layers"] == 2 and arc.layers[1] == ((4, 1, 0, 5), (1,))
    with pytest.raises(ev.ArcError, match=r"branch 1 count is 0, expected >= 1 \(token 3\)"):
        ev.parse_arc("0 3 1 0 4 1 0 5 1", space="macro", whole_channels=False, num_branches=2)


def test_canonical_key_ignores_swapped_micro_inputs():
    swapped = MICRO_STRINGS[0].split()
    swapped[0:4] = swapped[2:4] + swapped[0:2]
    a, b = ev.parse_arc(MICRO_STRINGS[0], space="micro"), ev.parse_arc(" ".join(swapped), space="micro")
    assert a != b and a.canonical_key() == b.canonical_key()
    assert a.canonical_key() != ev.parse_arc(MICRO_STRINGS[1], space="micro").canonical_key()
    macro = ev.parse_arc(AEROBI_SH)
    assert macro.canonical_key() == ev.parse_arc(str(macro)).canonical_key()


def test_choices_name_stable_positions():
    arc = ev.parse_arc(MICRO_FINAL_SH, space="micro")
    choices = arc.choices()
    assert len(choices) == 20 and choices[0] == ("normal node 2 x", "avg_pool3x3")
    assert ev.parse_arc(AEROBI_SH).choices()[1] == ("layer 1", "max_pool3x3")


def _real_log_arcs(path: Path) -> list[str]:
    """Arcs of a 'Here are 10 architectures' log: array rows (and numpy continuation rows) up to each val_acc."""
    arcs, rows = [], []
    for line in path.read_text().splitlines():
        if line.startswith("[") or (rows and line.startswith(" ") and line.strip()[:1].isdigit()):
            rows.append(line)
        elif re.match(r"val_acc\s*=", line):
            arcs.append("\n".join(rows))
            rows = []
        else:
            rows = []
    return arcs


@pytest.mark.parametrize(
    ("name", "space", "count", "size"),
    [
        ("beautymess_enas_cifar10_macro_search_nohup-12layers.out", "macro", 3100, ("num_layers", 12)),
        ("beautymess_enas_cifar10_micro_search_nohup.out", "micro", 1500, ("num_cells", 5)),
        ("mingukkang_enas_tf_stdout_cifar10_micro_search.txt", "micro", 1500, ("num_cells", 5)),
    ],
)
def test_every_arc_of_the_real_search_logs_parses(name, space, count, size):
    texts = _real_log_arcs(REAL_LOGS / name)
    assert len(texts) == count
    arcs = [ev.parse_arc(text) for text in texts]  # the space is inferred, and must come out right
    assert {a.space for a in arcs} == {space}
    assert {a.params[size[0]] for a in arcs} == {size[1]}
    assert all(ev.parse_arc(str(a), space=space) == a for a in arcs[:200])
