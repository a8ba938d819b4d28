"""Write the short sample logs of this folder, one per foreign format, deterministically.

Every line is rendered with the format string of the code that prints it (quoted in
``/work/shared/reference/enas-log-and-arc-formats.md``) from synthetic values: random
valid arcs, a loss that falls and an accuracy that rises. Nothing is copied from a real
log. Run ``python sample_logs/make_samples.py`` to rewrite them.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

HERE = Path(__file__).parent
DASHES = "-" * 80


def flag_lines(flags: dict) -> list[str]:
    """utils.print_user_flags: sorted names, dots to 80 characters, or glued when too long."""
    out = [DASHES]
    for name in sorted(flags):
        value = str(flags[name])
        out.append(name + "." * (80 - len(name) - len(value)) + value)
    return out


def np_line(tokens: list[int], suffix: str = "") -> str:
    """str(np.array(tokens)): elements right-aligned to the widest (no wrapping at these sizes)."""
    width = max(len(str(t)) for t in tokens)
    return "[" + " ".join(f"{t:>{width}}" for t in tokens) + "]" + suffix


def macro_arc(rng: random.Random, layers: int, branches: int) -> list[list[int]]:
    return [[rng.randrange(branches)] + [int(rng.random() < 0.4) for _ in range(layer)] for layer in range(layers)]


def micro_cell(rng: random.Random, cells: int, branches: int) -> list[int]:
    out = []
    for c in range(cells):
        out += [rng.randint(0, c + 1), rng.randrange(branches), rng.randint(0, c + 1), rng.randrange(branches)]
    return out


CIFAR_FLAGS = {
    "batch_size": 128, "child_block_size": 3, "child_cutout_size": None, "child_drop_path_keep_prob": 0.6,
    "child_filter_size": 5, "child_fixed_arc": None, "child_grad_bound": 5.0, "child_keep_prob": 0.9,
    "child_l2_reg": 0.00025, "child_lr": 0.1, "child_lr_T_0": 10, "child_lr_T_mul": 2, "child_lr_cosine": True,
    "child_lr_dec_every": 100, "child_lr_dec_rate": 0.1, "child_lr_max": 0.05, "child_lr_min": 0.0005,
    "child_num_aggregate": None, "child_num_branches": 6, "child_num_cells": 5, "child_num_layers": 12,
    "child_num_replicas": 1, "child_out_filters": 36, "child_out_filters_scale": 1, "child_skip_pattern": None,
    "child_sync_replicas": False, "child_use_aux_heads": True, "controller_bl_dec": 0.99,
    "controller_entropy_weight": 0.0001, "controller_forwards_limit": 2, "controller_keep_prob": 0.5,
    "controller_l2_reg": 0.0, "controller_lr": 0.001, "controller_lr_dec_rate": 1.0, "controller_num_aggregate": 20,
    "controller_num_replicas": 1, "controller_op_tanh_reduce": 2.5, "controller_search_whole_channels": True,
    "controller_skip_target": 0.4, "controller_skip_weight": 0.8, "controller_sync_replicas": True,
    "controller_tanh_constant": 1.5, "controller_temperature": None, "controller_train_every": 1,
    "controller_train_steps": 50, "controller_training": True, "controller_use_critic": False, "data_format": "NCHW",
    "data_path": "data/cifar10", "eval_every_epochs": 1, "log_every": 50, "num_epochs": 3,
    "output_dir": "outputs", "reset_output_dir": True, "search_for": "macro",
}  # fmt: skip

TF_STDERR = [
    "2019-03-02 10:14:07.518331: I tensorflow/core/platform/cpu_feature_guard.cc:137] Your CPU supports "
    "instructions that this TensorFlow binary was not compiled to use: SSE4.1 SSE4.2 AVX AVX2 FMA",
    "2019-03-02 10:14:09.102274: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1030] Found device 0 with properties: ",
    "name: GeForce GTX 1080 Ti major: 6 minor: 1 memoryClockRate(GHz): 1.582",
    "pciBusID: 0000:02:00.0",
    "totalMemory: 10.91GiB freeMemory: 10.75GiB",
]


def cifar_build(micro: bool, layers: int, filters: int) -> list[str]:
    out = [DASHES, "Reading data", *[f"data_batch_{i}" for i in range(1, 6)], "test_batch"]
    out += ["Prepropcess: [subtract mean], [divide std]", "mean: [125.3069  122.95015 113.866  ]"]
    out += ["std: [62.993214 62.08868  66.70489 ]", DASHES, "Build model child", "Build data ops", DASHES]
    out += ["Building ConvController", DASHES, "Build controller sampler"]
    out += [DASHES, "Build controller sampler"] if micro else []
    for graph, name in (
        ("child", "Build train graph"),
        ("child_1", "Build valid graph"),
        ("child_2", "Build test graph"),
    ):
        out += [DASHES, name]
        for layer in range(layers):
            hw = 32 >> (layer * 3 // layers)
            if micro:
                out.append(
                    f'Layer {layer:>2d}: Tensor("{graph}/layer_{layer}/Reshape_2:0", shape=(?, {filters * 4}, {hw}, {hw}), dtype=float32)'
                )
            else:
                out.append(
                    f'Tensor("{graph}/layer_{layer}/skip/bn/Identity:0", shape=(?, {filters}, {hw}, {hw}), dtype=float32)'
                )
        if graph == "child":
            out.append("Model has 697860 params")
            out.append(
                "/usr/lib/python2.7/dist-packages/tensorflow/python/ops/gradients_impl.py:96: UserWarning: Converting "
                "sparse IndexedSlices to a dense Tensor of unknown shape. This may consume a large amount of memory."
            )
            out.append('  "Converting sparse IndexedSlices to a dense Tensor of unknown shape. "')
    out += [DASHES, "<tf.Variable 'controller/lstm/layer_0/w:0' shape=(128, 256) dtype=float32_ref>"]
    out += ["<tf.Variable 'controller/g_emb:0' shape=(1, 64) dtype=float32_ref>", DASHES, "Starting session"]
    return out


def child_line(epoch, step, loss, lr, gn, correct, bs, mins, spaced=False):
    if spaced:  # MINGUKKANG main_controller_child_trainer.py
        return (f"epoch = {epoch:<6d}ch_step = {step:<6d} loss = {loss:<8.6f}   lr = {lr:<8.4f} |g| = {gn:<8.4f}"
                f" tr_acc = {correct:<3d}/{bs:>3d}   mins = {mins:<10.2f}")  # fmt: skip
    return (f"epoch={epoch:<6d}ch_step={step:<6d} loss={loss:<8.6f} lr={lr:<8.4f} |g|={gn:<8.4f}"
            f" tr_acc={correct:<3d}/{bs:>3d} mins={mins:<10.2f}")  # fmt: skip


def ctrl_line(step, loss, ent, lr, gn, acc, bl, mins, spaced=False):
    if spaced:
        return (f"ctrl_step = {step:<6d} loss = {loss:<7.3f} ent = {ent:<5.2f}   lr = {lr:<6.4f}   |g| = {gn:<8.4f}"
                f" acc = {acc:<6.4f}   bl = {bl:<5.2f}  mins = {mins:<.2f}")  # fmt: skip
    return (f"ctrl_step={step:<6d} loss={loss:<7.3f} ent={ent:<5.2f} lr={lr:<6.4f} |g|={gn:<8.4f}"
            f" acc={acc:<6.4f} bl={bl:<5.2f} mins={mins:<.2f}")  # fmt: skip


def cifar_search(kind: str, rng: random.Random) -> list[str]:
    """authors' macro/micro search, MINGUKKANG (spaced micro) or CODEBRIM (0-based headers, 7-layer macro)."""
    micro = kind in ("micro", "mingukkang")
    spaced = kind == "mingukkang"
    flags = dict(CIFAR_FLAGS)
    if micro:
        flags.update(batch_size=160, child_num_layers=6, child_out_filters=20, child_num_branches=5, search_for="micro",
                     child_l2_reg=0.0001, controller_lr=0.0035, controller_num_aggregate=10, controller_train_steps=30,
                     controller_tanh_constant=1.1, controller_skip_target=0.8, controller_skip_weight=0.0)  # fmt: skip
    if kind == "mingukkang":
        flags.pop("data_path")
        flags.update(channel=3, img_size=32, n_aug_img=1, data_format="NHWC", output_dir="./output",
                     train_data_dir="./data/train", val_data_dir="./data/valid", test_data_dir="./data/test")  # fmt: skip
    if kind == "codebrim":
        flags.update(batch_size=16, child_num_layers=7, child_out_filters=64, controller_train_steps=40, data_path="")
    layers, bs = flags["child_num_layers"], flags["batch_size"]
    batches = math.ceil(45000 / bs) if kind != "codebrim" else 120
    ctrl_lines = flags["controller_train_steps"] * flags["controller_num_aggregate"] // 50
    ctrl_stride = 50 // flags["controller_num_aggregate"] if flags["controller_num_aggregate"] <= 50 else 1
    out = (
        [DASHES, "Path outputs exists. Remove and remake.", DASHES, "Logging to outputs/stdout"]
        if kind != "mingukkang"
        else []
    )
    out += flag_lines(flags)
    out += cifar_build(micro, layers + 2 if micro else layers, flags["child_out_filters"])
    if kind == "codebrim":
        out.append("TensorFlow version:  1.4.0")
    out += TF_STDERR
    step, mins, bl, ctrl_step = 0, 5.5, 0.0, 0
    for epoch in range(flags["num_epochs"]):
        skill = 0.35 + 0.12 * epoch
        for _ in range(batches):
            step += 1
            if step % 50 == 0:
                mins += 0.08
                loss = 1.9 * math.exp(-step / 2000) + rng.uniform(0, 0.1)
                correct = min(bs, int(bs * (skill + rng.uniform(-0.05, 0.05))))
                out.append(
                    child_line(step // batches, step, loss, 0.05, rng.uniform(0.4, 1.6), correct, bs, mins, spaced)
                )
        header = epoch + 1 if kind != "codebrim" else epoch  # the fork prints epoch-1
        out.append(f"Epoch {header}: Training controller")
        for k in range(ctrl_lines):
            acc = round(min(1.0, skill + rng.uniform(-0.08, 0.08)) * bs) / bs
            mins += 0.05
            out.append(ctrl_line(ctrl_step, rng.uniform(-3, 12), 26.46 if not micro else 57.19, flags["controller_lr"],
                                 rng.uniform(0.02, 0.3), acc, bl, mins, spaced))  # fmt: skip
            bl = 0.95 * bl + 0.05 * acc
            ctrl_step += ctrl_stride if k % 2 == 0 or ctrl_stride != 2 else ctrl_stride + 1
        out.append("Here are 10 architectures")
        for _ in range(10):
            if micro:
                out += [np_line(micro_cell(rng, 5, 5)), np_line(micro_cell(rng, 5, 5))]
            else:
                out += [np_line(layer) for layer in macro_arc(rng, layers, 6)]
            val = round(min(1.0, skill + rng.uniform(-0.1, 0.1)) * bs) / bs
            out.append(f"val_acc = {val:<6.4f}" if spaced else f"val_acc={val:<6.4f}")
            out.append(DASHES)
        out += [f"Epoch {header}: Eval", f"Eval at {step}", f"valid_accuracy: {skill + 0.02:<6.4f}"]
        out += [f"Eval at {step}", f"test_accuracy: {skill + 0.01:<6.4f}"]
    return out


def ptb_search(rng: random.Random) -> list[str]:
    flags = {
        "batch_size": 20, "child_avg_pool_size": 1, "child_base_number": 4, "child_block_size": 1, "child_bptt_steps": 35,
        "child_fixed_arc": None, "child_grad_bound": 10.0, "child_l2_reg": 1e-07, "child_lr": 0.25, "child_lr_dec_every": 1,
        "child_lr_dec_min": 0.0005, "child_lr_dec_rate": 0.95, "child_lr_dec_start": 12, "child_lr_warmup_steps": None,
        "child_lr_warmup_val": None, "child_lstm_e_keep": 0.75, "child_lstm_h_keep": 0.75, "child_lstm_hidden_size": 720,
        "child_lstm_l_skip": False, "child_lstm_o_keep": 0.25, "child_lstm_x_keep": 0.25, "child_num_aggregate": 1,
        "child_num_layers": 1, "child_num_replicas": 1, "child_optim_algo": "sgd", "child_optim_moving_average": None,
        "child_reset_train_states": None, "child_rhn_depth": 12, "child_rnn_l2_reg": None, "child_rnn_slowness_reg": None,
        "child_sync_replicas": False, "child_temperature": None, "controller_bl_dec": 0.99,
        "controller_entropy_weight": 0.001, "controller_keep_prob": 0.5, "controller_l2_reg": 0.0, "controller_lr": 0.001,
        "controller_lr_dec_rate": 1.0, "controller_num_aggregate": 10, "controller_num_replicas": 1,
        "controller_skip_rate": None, "controller_skip_target": None, "controller_sync_replicas": True,
        "controller_tanh_constant": 2.5, "controller_temperature": 5.0, "controller_train_every": 1,
        "controller_train_steps": 100, "controller_training": True, "data_path": "data/ptb/ptb.pkl",
        "eval_every_epochs": 1, "log_every": 50, "num_epochs": 3, "output_dir": "outputs", "reset_output_dir": False,
        "search_for": "enas",
    }  # fmt: skip
    out = [DASHES, "Logging to outputs/stdout", *flag_lines(flags), DASHES]
    out += ["train_size: 929589", "valid_size: 73760", " test_size: 82430", DASHES, "Build model ptb_enas_model"]
    out += ["Build data ops", "Build train graph", "Model has 24109200 parameters", "Build valid graph"]
    out += ["Build valid graph for RL", "Build test graph", DASHES, "Building PTBEnasController", DASHES]
    out += ["Starting session", *TF_STDERR[:2]]
    step, mins, bl, ctrl_step = 0, 1.0, 0.0, 0
    for epoch in range(flags["num_epochs"]):
        for k in range(5):
            step += 50
            mins += 0.5
            loss = 230 - 12 * epoch - 2 * k + rng.uniform(0, 3)
            out.append(f"epoch={epoch:<6d} ch_step={step:<6d} loss={loss:<8.4f} lr={0.25:<8.4f} |g|={rng.uniform(1, 5):<10.2f}"
                       f" tr_ppl={math.exp(loss / 35):<8.2f} mins={mins:<10.2f}")  # fmt: skip
        out.append(f"Epoch {epoch + 1}: Training controller")
        for _ in range(20):
            rw = 80 / (700 - 150 * epoch + rng.uniform(-40, 40))
            out.append(f"ctrl_step={ctrl_step:<6d} loss={rng.uniform(-2, 2):<7.3f} ent={20.1:<5.2f} lr={0.001:<6.4f}"
                       f" |g|={rng.uniform(0, 0.05):<10.7f} rw={rw:<7.3f} bl={bl:<7.3f} mins={mins:<.2f}")  # fmt: skip
            bl = 0.99 * bl + 0.01 * rw
            ctrl_step += 5
        out.append("Here are 10 architectures")
        for _ in range(10):
            arc = [rng.randrange(2)]
            for node in range(1, 12):
                arc += [rng.randrange(node), rng.randrange(2)]
            out.append(np_line(arc, f" rw={80 / (650 - 150 * epoch + rng.uniform(-40, 40)):<.3f}"))
        valid_ppl = 600.0 - 160 * epoch
        out += [f"Epoch {epoch + 1}: Eval", f"Eval at {step}", f"valid_total_loss: {math.log(valid_ppl) * 73760:<6.2f}"]
        out += [f"valid_log_ppl: {math.log(valid_ppl):<6.2f}", f"valid_ppl: {valid_ppl:<6.2f}", DASHES]
    # after the last epoch: the final verbose test eval (batch 1, progress every 1000 tokens)
    out += [f"Eval at {step}", f"{1000:<5d} {312.4:<6.2f}", f"{2000:<5d} {301.9:<6.2f}", ""]
    out += [f"test_total_loss: {5.7 * 82430:<6.2f}", f"test_log_ppl: {5.70:<6.2f}", f"test_ppl: {math.exp(5.7):<6.2f}"]
    return out


def carpedm20(rng: random.Random) -> list[str]:
    clock = [11 * 3600 + 20 * 60]

    def log(message: str, level: str = "INFO") -> str:
        clock[0] += rng.randint(1, 20)
        h, m, s = clock[0] // 3600, clock[0] // 60 % 60, clock[0] % 60
        return f"2018-02-15 {h:02d}:{m:02d}:{s:02d},{rng.randrange(1000):03d}:{level}::{message}"

    out = [
        log("[*] MODEL dir: logs/ptb_2018-02-15_11-20-02"),
        log("[*] PARAM path: logs/ptb_2018-02-15_11-20-02/params.json"),
    ]
    out += [
        log("regularizing:"),
        log("# of parameters: 13,771,000"),
        log("[!] No checkpoint found in logs/ptb_2018-02-15_11-20-02..."),
    ]
    for epoch in range(3):
        for k in range(1, 8):
            raw = 6.9 - 0.3 * epoch - 0.05 * k + rng.uniform(0, 0.05)
            out.append(
                log(
                    f"| epoch {epoch:3d} | lr {20.0:4.2f} | raw loss {raw:.2f} | loss {raw + 0.01:.2f} | ppl {math.exp(raw):8.2f}"
                )
            )
        if epoch == 1:
            out.append(log("max hidden 25.3771"))
        for _ in range(6):
            out.append(log(f"| epoch {epoch:3d} | lr {0.00035:.5f} | R {0.1 + 0.05 * epoch + rng.uniform(0, 0.02):.5f}"
                           f" | entropy {1.9 - 0.1 * epoch:.4f} | loss {rng.uniform(-0.1, 0.1):.5f}"))  # fmt: skip
        if epoch % 2 == 0:  # save_epoch: derive then evaluate
            out.append(log(f"derive | max_R: {0.2 + 0.04 * epoch:8.6f}"))
            loss = 6.3 - 0.3 * epoch
            out.append(log(f"eval | loss: {loss:8.2f} | ppl: {math.exp(loss):8.2f}"))
            out.append(log(f"[*] SAVED: logs/ptb_2018-02-15_11-20-02/shared_epoch{epoch}_step{400 * (epoch + 1)}.pth"))
    return out


def enas_lm(rng: random.Random) -> list[str]:
    hparams = {"controller_num_layers": 8, "controller_num_functions": 4, "controller_tanh_constant": 2.25,
               "controller_temperature": 5.0, "controller_entropy_weight": 0.0001, "controller_num_aggregate": 10,
               "controller_num_train_steps": 25, "batch_size": 64, "bptt_steps": 35, "hidden_size": 300,
               "learning_rate": 20.0, "log_every": 200, "data_path": "ptb.pkl", "output_dir": "output"}  # fmt: skip
    out = [DASHES, "Path output exists. Reseting", DASHES, "Logging to output/stdout", DASHES]
    out += ["train_size: 929589", "valid_size: 73760", DASHES, "Building valid graph", DASHES]
    out += ["HParams:", *json.dumps(hparams, indent=2, sort_keys=True).split("\n")]
    out += ["Controller has 71300 params", "All children have 3600000 params", "Each child has 2790000 params"]
    step, mins = 0, 0.0
    for epoch in range(3):
        for _ in range(3):
            step += 200
            mins += 0.9
            out.append(f"epoch={epoch:<5d} step={step:<7d} ppl={900 / (1 + epoch + step / 2000):<9.2f} lr={20.0:<7.2f}"
                       f" |w|={0.32:<6.2f} |g|={rng.uniform(0.2, 0.6):<6.2f} mins={mins:<.2f}")  # fmt: skip
        out += [DASHES, "Training controller"]
        for s in range(0, 250, 10):
            arc = []
            for node in range(1, 9):
                arc += [rng.randrange(node), rng.randrange(4)]
            reward = 80 / (700 - 150 * epoch + rng.uniform(-30, 30))
            out.append(f"step={s:<5d} ent={rng.uniform(15, 18):<7.3f} ppl={80 / reward:<7.2f} rw={reward:<7.4f}"
                       f" bl={reward * 0.97:<7.4f} arc=[{' '.join(str(v) for v in arc)}]")  # fmt: skip
        out.append(f"valid_ppl={650 - 150 * epoch + rng.uniform(-5, 5):<.2f}")
    return out


SAMPLES = {
    "authors_macro_search.log": lambda rng: cifar_search("macro", rng),
    "authors_micro_search.log": lambda rng: cifar_search("micro", rng),
    "authors_ptb_search.log": ptb_search,
    "mingukkang_micro_search.log": lambda rng: cifar_search("mingukkang", rng),
    "codebrim_macro_search.log": lambda rng: cifar_search("codebrim", rng),
    "carpedm20_rnn.log": carpedm20,
    "enas_lm_search.log": enas_lm,
}


def main() -> None:
    for i, (name, make) in enumerate(SAMPLES.items()):
        (HERE / name).write_text("\n".join(make(random.Random(i))) + "\n")
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
