"""JSON model descriptions and the fixed layouts."""

from __future__ import annotations

import json

import pytest

import enas_viz as ev
from enas_viz.graph import node_ids

# the three examples of the enas_model seed (shared/seeds/000_efdb4bc6d28910b9.txt)
SEED_RNN = {
    "cell_type": "rnn",
    "nodes": [
        {"index": 0, "activation_function": "tanh"},
        *(
            {"index": i, "previous_index": p, "activation_function": f}
            for i, p, f in [
                (1, 0, "tanh"), (2, 1, "relu"), (3, 2, "relu"), (4, 2, "tanh"), (5, 2, "tanh"), (6, 5, "relu"),
                (7, 1, "tanh"), (8, 6, "relu"), (9, 8, "relu"), (10, 8, "relu"), (11, 8, "relu"),
            ]
        ),
    ],
}  # fmt: skip
SEED_MICRO = {
    "cell_type": "cnn_micro",
    "nodes": [
        {
            "index": 2,
            "previous_index1": 0,
            "operation1": "5_5_convolution",
            "previous_index2": 0,
            "operation2": "identity",
        },
        {
            "index": 3,
            "previous_index1": 0,
            "operation1": "3_3_max_polling",
            "previous_index2": 0,
            "operation2": "3_3_convolution",
        },
        {
            "index": 4,
            "previous_index1": 0,
            "operation1": "3_3_max_polling",
            "previous_index2": 1,
            "operation2": "3_3_convolution",
        },
        {
            "index": 5,
            "previous_index1": 1,
            "operation1": "identity",
            "previous_index2": 0,
            "operation2": "3_3_convolution",
        },
        {
            "index": 6,
            "previous_index1": 0,
            "operation1": "5_5_convolution",
            "previous_index2": 1,
            "operation2": "3_3_convolution",
        },
    ],
}
SEED_MACRO = {
    "cell_type": "cnn_marco",
    "nodes": [
        {"index": 0, "operation": "3_3_convolution"},
        {"index": 1, "operation": "3_3_convolution", "previous_indexes": "0"},
        {"index": 2, "operation": "5_5_convolution", "previous_indexes": "1"},
        {"index": 3, "operation": "3_3_max_polling", "previous_indexes": "1, 2"},
        {"index": 4, "operation": "5_5_average_polling", "previous_indexes": "1, 3"},
    ],
}
CARPEDM20_DAG = (
    '{"-1":[[0,"tanh"]],"-2":[[0,"tanh"]],"0":[[1,"tanh"]],"1":[[2,"ReLU"],[3,"tanh"]],'
    '"2":[[4,"tanh"],[5,"tanh"],[6,"ReLU"]],"4":[[7,"ReLU"]],"7":[[8,"ReLU"]],'
    '"8":[[9,"ReLU"],[10,"ReLU"],[11,"ReLU"]],"3":[[12,"avg"]],"5":[[12,"avg"]],"6":[[12,"avg"]],'
    '"9":[[12,"avg"]],"10":[[12,"avg"]],"11":[[12,"avg"]],"12":[[13,"h[t]"]]}'
)


def test_seed_rnn_is_the_ptb_final_arc():
    arc = ev.from_json_model(SEED_RNN)
    assert str(arc) == "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1"  # scripts/ptb_final.sh
    assert ev.to_json_model(arc)["nodes"] == SEED_RNN["nodes"]


def test_seed_micro_reads_ops_by_name():
    arc = ev.from_json_model(SEED_MICRO)
    assert arc.params["reduce"] is False and arc.params["num_cells"] == 5
    # node 2: 5_5_convolution (our sep_conv5x5, 1) of n0 + identity (4) of n0
    assert arc.cells["normal"][0] == (0, 1, 0, 4)
    assert arc.cells["normal"][1] == (0, 3, 0, 0)
    back = ev.to_json_model(arc)
    assert back["nodes"] == SEED_MICRO["nodes"] and "reduce_nodes" not in back


def test_seed_macro_bits_map_to_previous_indexes():
    arc = ev.from_json_model(json.dumps(SEED_MACRO))
    assert arc.params["num_layers"] == 5
    assert [arc.ops[op] for op, _ in arc.layers] == ["conv3x3", "conv3x3", "conv5x5", "max_pool3x3", "avg_pool3x3"]
    assert [bits for _, bits in arc.layers] == [(), (1,), (0, 1), (0, 1, 1), (0, 1, 0, 1)]
    assert ev.from_json_model(ev.to_json_model(arc)) == arc


@pytest.mark.parametrize(
    "text",
    [
        "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1",
        "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1",
        "0 5 0 3 1 1 4 0 0 1 4 0 0 0 0 5 1 0 0 0 0 2 0 0 0 0 0 0",
    ],
)
def test_json_model_round_trips_for_the_three_cell_types(text):
    arc = ev.parse_arc(text)
    obj = ev.to_json_model(arc)
    assert obj["cell_type"] in ("rnn", "cnn_micro", "cnn_marco")
    assert ev.from_json_model(json.loads(json.dumps(obj))) == arc


def test_enas_lm_arcs_keep_their_encoding_through_json():
    arc = ev.parse_arc("0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2", space="rnn", encoding="enas_lm")
    obj = ev.to_json_model(arc)
    assert obj["encoding"] == "enas_lm" and obj["nodes"][1] == {
        "index": 1,
        "activation_function": "sigmoid",
        "previous_index": 0,
    }
    back = ev.from_json_model(obj)
    assert back == arc and back.params["encoding"] == "enas_lm"


def test_micro_json_accepts_depthwise_words():
    obj = {"cell_type": "cnn_micro", "nodes": [dict(n) for n in SEED_MICRO["nodes"]]}
    obj["nodes"][0]["operation1"] = "depthwise_5_5_convolution"
    assert ev.from_json_model(obj) == ev.from_json_model(SEED_MICRO)


def test_carpedm20_dag_converts_to_authors_tokens():
    assert str(ev.from_json_model(CARPEDM20_DAG)) == "0 0 0 1 1 1 0 2 0 2 0 2 1 4 1 7 1 8 1 8 1 8 1"


def test_bad_json_models_say_what_is_wrong():
    with pytest.raises(ev.ArcError, match="unknown cell_type 'cnn'"):
        ev.from_json_model({"cell_type": "cnn", "nodes": [{}]})
    with pytest.raises(ev.ArcError, match=r"node 1: unknown operation 'warp_drive'"):
        ev.from_json_model(
            {
                "cell_type": "cnn_marco",
                "nodes": [{"index": 0, "operation": "3_3_convolution"}, {"index": 1, "operation": "warp_drive"}],
            }
        )
    with pytest.raises(ev.ArcError, match="missing 'previous_index'"):
        ev.from_json_model(
            {
                "cell_type": "rnn",
                "nodes": [{"index": 0, "activation_function": "tanh"}, {"index": 1, "activation_function": "tanh"}],
            }
        )


@pytest.mark.parametrize(
    ("space", "texts"),
    [
        ("macro", ["0 3 0 0 1 0 5 1 1 0", "4 1 1 2 0 1 3 0 0 0"]),
        ("micro", ["0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1", "1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4"]),
        ("rnn", ["0 0 0 1 1 2 1", "1 0 1 0 2 0 3"]),
    ],
)
def test_layout_is_fixed_per_space_and_covers_every_node(space, texts):
    arcs = [ev.parse_arc(t, space=space, **({"reduce": False} if space == "micro" else {})) for t in texts]
    first, second = (ev.arc_layout(a) for a in arcs)
    assert first == second  # the same node sits at the same place whatever the arc
    for arc in arcs:
        assert set(arc.to_networkx().nodes) <= set(first)
    assert set(first) == set(node_ids(space, **arcs[0].params))
    assert len(set(first.values())) == len(first)  # no two nodes share a place


def test_layout_separates_micro_cells_and_orders_macro_layers():
    pos = ev.layout("micro", num_cells=5)
    assert all(pos[f"reduce:{i}"][1] < pos[f"normal:{i}"][1] for i in range(7))
    macro = ev.layout("macro", num_layers=12)
    assert [macro[i][0] for i in range(14)] == sorted(macro[i][0] for i in range(14))
