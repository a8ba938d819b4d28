"""The flags block of the authors' TF code (``utils.print_user_flags``) and what it says.

Each flag prints as ``name`` + dots + ``value`` padded to 80 characters::

    child_num_layers..............................................................12
    child_fixed_arc4 2 0 1 1 1 4 1 0 0 2 0 0 1 0 3 0 0 1 1 0 3 1 0 0 1 1 1 1 0 0 ...

A value longer than the padding is glued to the name with no dots; a value starting
with ``.`` (``./output``) melts into the dots, so ``output_dir....../output`` is
ambiguous: the value is read as ``/output`` and the flag is listed in ``ambiguous``.
"""

from __future__ import annotations

import re

__all__ = ["KNOWN_FLAGS", "parse_flag_line", "flag_value", "space_from_flags"]

# Appendix A of the formats reference: cifar10 and ptb main.py, MINGUKKANG's extras.
_CIFAR10 = """batch_size child_block_size child_cutout_size child_drop_path_keep_prob child_filter_size
child_fixed_arc child_grad_bound child_keep_prob child_l2_reg child_lr child_lr_T_0 child_lr_T_mul
child_lr_cosine child_lr_dec_every child_lr_dec_rate child_lr_max child_lr_min child_num_aggregate
child_num_branches child_num_cells child_num_layers child_num_replicas child_out_filters
child_out_filters_scale child_skip_pattern child_sync_replicas child_use_aux_heads controller_bl_dec
controller_entropy_weight controller_forwards_limit controller_keep_prob controller_l2_reg controller_lr
controller_lr_dec_rate controller_num_aggregate controller_num_replicas controller_op_tanh_reduce
controller_search_whole_channels controller_skip_target controller_skip_weight controller_sync_replicas
controller_tanh_constant controller_temperature controller_train_every controller_train_steps
controller_training controller_use_critic data_format data_path eval_every_epochs log_every num_epochs
output_dir reset_output_dir search_for"""
_PTB = """child_avg_pool_size child_base_number child_bptt_steps child_lr_dec_min child_lr_dec_start
child_lr_warmup_steps child_lr_warmup_val child_lstm_e_keep child_lstm_h_keep child_lstm_hidden_size
child_lstm_l_skip child_lstm_o_keep child_lstm_x_keep child_optim_algo child_optim_moving_average
child_reset_train_states child_rhn_depth child_rnn_l2_reg child_rnn_slowness_reg child_temperature
controller_skip_rate"""
_MINGUKKANG = "channel img_size n_aug_img train_data_dir val_data_dir test_data_dir"
KNOWN_FLAGS = frozenset((_CIFAR10 + " " + _PTB + " " + _MINGUKKANG).split())
# longest first, so child_lr_dec_min is tried before child_lr
_BY_LENGTH = sorted(KNOWN_FLAGS, key=len, reverse=True)

# "child_lr_T_0..................................................................10"
_FLAG = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)(\.+)(.*)$")


def parse_flag_line(line: str) -> tuple[str, str, bool] | None:
    """``(name, raw value, ambiguous)`` of one flags-block line, or None if it is not one."""
    line = line.rstrip()
    m = _FLAG.match(line)
    if m and (m.group(1) in KNOWN_FLAGS or not _known_prefix(line)):
        name, value = m.group(1), m.group(3)
        # a value such as "./output" melts into the dots: only a padded line can hide one
        ambiguous = len(line) == 80 and value[:1] == "/"
        return name, value, ambiguous
    name = _known_prefix(line)
    if name is None:
        return None
    # "child_fixed_arc4 2 0 1 ..." (value too long for dots) or "name....value" of a known name
    return name, line[len(name) :].lstrip("."), False


def _known_prefix(line: str) -> str | None:
    for name in _BY_LENGTH:
        if line.startswith(name) and not line[len(name) : len(name) + 1].isalpha() and line[len(name) :][:1] != "_":
            return name
    return None


def flag_value(raw: str):
    """The Python value of a printed flag: None, bools, ints, floats, else the string."""
    if raw in ("None", ""):
        return None if raw == "None" else ""
    if raw in ("True", "False"):
        return raw == "True"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def space_from_flags(flags: dict) -> tuple[str | None, dict]:
    """``(space, space_params)`` the flags describe; space None when they do not say."""
    search_for = flags.get("search_for")
    if "child_rhn_depth" in flags or "child_bptt_steps" in flags:
        params = {"num_nodes": flags.get("child_rhn_depth"), "num_funcs": 4, "encoding": "enas"}
        return "rnn", params
    if search_for == "macro":
        branches = flags.get("child_num_branches") or 6
        params = {
            "num_layers": flags.get("child_num_layers"),
            "num_branches": branches,
            "whole_channels": bool(flags.get("controller_search_whole_channels", True)),
        }
        return "macro", params
    if search_for == "micro":
        branches = flags.get("child_num_branches") or 5
        params = {"num_cells": flags.get("child_num_cells"), "num_branches": branches, "reduce": True}
        return "micro", params
    return None, {}
