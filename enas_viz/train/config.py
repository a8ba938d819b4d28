"""The trainer's configuration: one typed dataclass, the authors' values by default.

``Config()`` is the macro search of ``scripts/cifar10_macro_search.sh``; the other spaces
and the ``tiny`` preset are small dicts of overrides (:data:`PAPER`, :data:`TINY`,
:data:`FINAL`), so every number lives in one place with the reason it has that value.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields, replace

from ..spaces import default_ops

__all__ = ["Config", "ConfigError", "check_config", "make_config", "PAPER", "TINY", "FINAL", "PRESETS"]


@dataclass
class Config:
    space: str = "macro"  # "macro" | "micro" | "rnn"
    dataset: str = "digits"  # "digits" | "pydoc" | "cifar10:DIR" | "folder:DIR" | "ptb:DIR" | "DIR" (auto-detect)
    seed: int = 0

    # -- data -----------------------------------------------------------------------------
    batch_size: int = 128  # cifar10_macro_search.sh (micro 160, ptb 20)
    eval_batch_size: int = 100  # models.py eval: 100 images per batch
    max_train_batches: int | None = None  # cap on shared-training batches per epoch; None = the whole split
    max_eval_batches: int | None = None  # cap on batches per valid/test eval; None = the whole split
    augment: bool | None = None  # pad-4 random crop + flip (the authors' CIFAR pipeline); None = on for 32x32 RGB

    # -- CNN child (macro / micro) --------------------------------------------------------
    num_layers: int = 12  # macro: layers; micro: cells between the 2 reduction cells (num_layers + 2 cells)
    out_filters: int = 36  # channels of every macro layer; micro: first stage (doubles at each reduction)
    num_branches: int = 6  # macro ops 0..5 (final script uses 4); micro 5
    num_cells: int = 5  # micro: nodes per cell
    keep_prob: float = 0.9  # dropout keep probability before the classifier
    grow: bool = False  # macro: double channels at pool layers (the authors' fixed-arc child does; search does not)

    # -- RNN child (ptb_search.sh) ----------------------------------------------------------
    num_nodes: int = 12  # rhn_depth
    num_funcs: int = 2  # the authors' controller default: search samples tanh/ReLU only (main.py never overrides)
    hidden_size: int = 720  # lstm_hidden_size
    bptt: int = 35  # child_bptt_steps
    vocab_size: int = 10000  # cap for the pydoc corpus (PTB's vocabulary size); PTB files keep their own
    rnn_dropout: float = 0.25  # on embeddings and outputs (the authors' x/o keep 0.25 is too harsh for small data)

    # -- child optimisation -------------------------------------------------------------------
    epochs: int = 310  # macro 310, micro 150, ptb 100
    lr_max: float = 0.05  # cosine from lr_max to lr_min ...
    lr_min: float = 0.0005
    lr_T0: int = 10  # ... restarting after 10, 30, 70, 150 epochs
    lr_T_mul: int = 2
    lr_cosine: bool = True  # False (ptb): lr_max, times lr_dec_rate per epoch from lr_dec_start, floor lr_min
    lr_dec_start: int = 12
    lr_dec_rate: float = 0.95
    momentum: float = 0.9  # Nesterov, like tf.train.MomentumOptimizer(use_nesterov=True); ptb uses plain SGD (0)
    l2: float = 2.5e-4  # macro 2.5e-4, micro 1e-4, ptb 1e-7
    grad_bound: float = 5.0  # global-norm clip; the authors' CIFAR code computed it but applied the unclipped grads
    log_every: int = 50  # a child_step event every log_every steps

    # -- controller -----------------------------------------------------------------------------
    controller_training: bool = True
    ctrl_train_every: int = 1  # train the controller after every shared epoch (all shipped scripts)
    ctrl_lstm_size: int = 64  # hard-coded in cifar10/main.py (ptb: 100)
    ctrl_lr: float = 0.001  # Adam(beta1=0, eps=1e-3); micro 0.0035
    ctrl_entropy_weight: float = 1e-4  # reward += weight * entropy of the sample (ptb 1e-3)
    ctrl_tanh_constant: float | None = 1.5  # logits = c * tanh(logits) (micro 1.1, ptb 2.5)
    ctrl_op_tanh_reduce: float = 2.5  # micro op logits use c / 2.5; the macro controller ignores it
    ctrl_temperature: float | None = None  # logits /= T before tanh (ptb 5.0)
    ctrl_skip_target: float = 0.4  # macro: KL penalty pulls skip probability to 0.4 ...
    ctrl_skip_weight: float = 0.8  # ... with this weight
    ctrl_bl_dec: float = 0.99  # baseline <- dec * baseline + (1 - dec) * reward
    ctrl_num_aggregate: int = 20  # samples whose gradients make one Adam step (micro 10, ptb 10)
    ctrl_train_steps: int = 50  # Adam steps per epoch (micro 30, ptb 100)
    reward_constant: float = 80.0  # rnn reward = 80 / valid ppl
    arcs_per_epoch: int = 10  # "Here are 10 architectures"
    derive_samples: int = 100  # arcs sampled and scored on the validation set to pick the final arc

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def space_params(self) -> dict:
        """The arc size parameters, with the names ``parse_arc`` takes."""
        if self.space == "macro":
            return {"num_layers": self.num_layers, "num_branches": self.num_branches, "whole_channels": True}
        if self.space == "micro":
            return {"num_cells": self.num_cells, "num_branches": self.num_branches, "reduce": True}
        return {"num_nodes": self.num_nodes, "num_funcs": self.num_funcs}


# The shipped search scripts (reference §3.4); macro is the dataclass default.
PAPER: dict[str, dict] = {
    "macro": {},
    "micro": dict(
        batch_size=160, num_layers=6, out_filters=20, num_branches=5, epochs=150, l2=1e-4,
        ctrl_lr=0.0035, ctrl_tanh_constant=1.10, ctrl_skip_weight=0.0, ctrl_num_aggregate=10, ctrl_train_steps=30,
    ),
    "rnn": dict(
        dataset="pydoc", batch_size=20, epochs=100, lr_cosine=False, lr_max=0.25, lr_min=0.0005, momentum=0.0,
        l2=1e-7, grad_bound=10.0, ctrl_lstm_size=100, ctrl_entropy_weight=1e-3, ctrl_tanh_constant=2.5,
        ctrl_temperature=5.0, ctrl_skip_weight=0.0, ctrl_num_aggregate=10, ctrl_train_steps=100,
    ),
}  # fmt: skip

# Seconds on a CPU: few layers and channels, a few batches per epoch, few controller steps.
# The controller lr is higher and its baseline faster than the paper's so that a 10-epoch demo shows it
# learning: on digits macro the sample entropy falls 20.9 -> 17.8 in 10 epochs, where with the paper's
# bl_dec 0.99 and 10 steps per epoch it stays at 20.8 (the advantage is positive for every early sample).
_TINY_COMMON = dict(
    epochs=2, batch_size=32, eval_batch_size=100, log_every=5, ctrl_num_aggregate=5, ctrl_train_steps=25,
    ctrl_lr=0.02, ctrl_bl_dec=0.9, derive_samples=20,
)  # fmt: skip
TINY: dict[str, dict] = {
    "macro": dict(_TINY_COMMON, num_layers=6, out_filters=12),
    "micro": dict(_TINY_COMMON, num_layers=1, out_filters=8, num_cells=3, ctrl_lr=0.01),
    "rnn": dict(
        _TINY_COMMON, batch_size=16, num_nodes=4, hidden_size=48, bptt=12, vocab_size=500,
        max_train_batches=20, max_eval_batches=10, lr_max=2.0, ctrl_lr=0.01,
    ),
}  # fmt: skip

# Final training of a fixed arc (scripts/*_final.sh); the arc sets the layer / cell / node counts.
FINAL: dict[str, dict] = {
    "macro": dict(batch_size=100, out_filters=96, l2=2e-4, keep_prob=0.5, lr_min=0.001, grow=True),
    "micro": dict(batch_size=144, epochs=630, num_layers=15, out_filters=36, l2=2e-4, keep_prob=0.8, lr_min=0.0001),
    "rnn": dict(batch_size=64, epochs=2000, hidden_size=748, grad_bound=0.25, lr_max=20.0, lr_dec_start=14,
                lr_dec_rate=0.9991, lr_min=0.001, l2=5e-7),
}  # fmt: skip

PRESETS = ("paper", "tiny")


def make_config(space: str = "macro", preset: str = "paper", final: bool = False, **overrides) -> Config:
    """The authors' config of ``space`` (``preset="paper"``) or a seconds-on-CPU one (``"tiny"``).

    ``final=True`` starts from the final-training scripts instead of the search scripts.
    Keyword overrides name :class:`Config` fields; ``None`` values are ignored.
    """
    if space not in PAPER:
        raise ValueError(f"unknown space {space!r}; expected one of {sorted(PAPER)}")
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {list(PRESETS)}")
    names = {f.name for f in fields(Config)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"unknown config field(s) {unknown}; Config has {sorted(names)}")
    values = dict(PAPER[space])
    if final and preset == "paper":
        values.update(FINAL[space])
    if preset == "tiny":
        values.update(TINY[space])
        if space == "rnn":
            values["dataset"] = "pydoc"
    values.update({k: v for k, v in overrides.items() if v is not None})
    return check_config(replace(Config(), space=space, **{k: v for k, v in values.items() if k != "space"}))


# -- validation: every entry point (make_config, a resumed checkpoint, a given Config) runs check_config ----


class ConfigError(ValueError):
    """A Config value that no run can use; the message names the field (the keyword, and ``--set FIELD=``)."""


_POSITIVE = "a number > 0"
# field -> (test, what the value must be); a field not listed here is only type-checked
_RULES: dict[str, tuple] = {
    "space": (lambda v: v in PAPER, f"one of {sorted(PAPER)}"),
    "dataset": (lambda v: v.strip() != "", "a data set name or path"),
    "seed": (lambda v: 0 <= v < 2**32, "an integer in 0 .. 2**32 - 1"),
    "batch_size": (lambda v: v >= 1, "at least 1"),
    "eval_batch_size": (lambda v: v >= 1, "at least 1"),
    "max_train_batches": (lambda v: v >= 1, "at least 1, or None for the whole split"),
    "max_eval_batches": (lambda v: v >= 1, "at least 1, or None for the whole split"),
    "num_layers": (lambda v: v >= 1, "at least 1"),
    "out_filters": (lambda v: v >= 1, "at least 1"),
    "num_branches": (lambda v: v >= 1, "at least 1"),
    "num_cells": (lambda v: v >= 1, "at least 1"),
    "keep_prob": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "num_nodes": (lambda v: v >= 1, "at least 1"),
    "num_funcs": (lambda v: v >= 1, "at least 1"),
    "hidden_size": (lambda v: v >= 1, "at least 1"),
    "bptt": (lambda v: v >= 1, "at least 1"),
    "vocab_size": (lambda v: v >= 3, "at least 3 (<unk>, <eos> and one word)"),
    "rnn_dropout": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "epochs": (lambda v: v >= 1, "at least 1"),
    "lr_max": (lambda v: v > 0, _POSITIVE),
    "lr_min": (lambda v: v >= 0, "a number >= 0"),
    "lr_T0": (lambda v: v >= 1, "at least 1"),
    "lr_T_mul": (lambda v: v >= 1, "at least 1"),
    "lr_dec_start": (lambda v: v >= 0, "at least 0"),
    "lr_dec_rate": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "momentum": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "l2": (lambda v: v >= 0, "a number >= 0"),
    "grad_bound": (lambda v: v > 0, _POSITIVE),
    "log_every": (lambda v: v >= 1, "at least 1"),
    "ctrl_train_every": (lambda v: v >= 1, "at least 1"),
    "ctrl_lstm_size": (lambda v: v >= 1, "at least 1"),
    "ctrl_lr": (lambda v: v > 0, _POSITIVE),
    "ctrl_entropy_weight": (lambda v: v >= 0, "a number >= 0"),
    "ctrl_tanh_constant": (lambda v: v > 0, f"{_POSITIVE}, or None"),
    "ctrl_op_tanh_reduce": (lambda v: v > 0, _POSITIVE),
    "ctrl_temperature": (lambda v: v > 0, f"{_POSITIVE}, or None"),
    "ctrl_skip_target": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "ctrl_skip_weight": (lambda v: v >= 0, "a number >= 0"),
    "ctrl_bl_dec": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "ctrl_num_aggregate": (lambda v: v >= 1, "at least 1"),
    "ctrl_train_steps": (lambda v: v >= 0, "at least 0"),
    "reward_constant": (lambda v: v > 0, _POSITIVE),
    "arcs_per_epoch": (lambda v: v >= 0, "at least 0"),
    "derive_samples": (lambda v: v >= 1, "at least 1"),
}


def _type_error(value, kind: str) -> str | None:
    """Why ``value`` is not of the annotated ``kind`` (``"int"``, ``"float | None"``, ...), or None."""
    kinds = {k.strip() for k in kind.split("|")}
    if value is None:
        return None if "None" in kinds else "None is not allowed"
    if isinstance(value, bool):
        return None if "bool" in kinds else "a bool is not allowed"
    if isinstance(value, numbers.Integral) and kinds & {"int", "float"}:
        return None
    if isinstance(value, numbers.Real) and "float" in kinds:
        return None if math.isfinite(value) else "not a finite number"
    if isinstance(value, str) and "str" in kinds:
        return None
    return f"expected {kind}, got {type(value).__name__}"


def check_config(cfg: Config) -> Config:
    """Raise :class:`ConfigError` for the first field no run can use; return ``cfg`` unchanged."""
    for f in fields(cfg):
        value = getattr(cfg, f.name)
        problem = _type_error(value, str(f.type))
        if problem is None and value is not None and f.name in _RULES:
            test, must = _RULES[f.name]
            problem = None if test(value) else f"must be {must}"
        if problem is not None:
            raise ConfigError(f"config {f.name}={value!r}: {problem}")
    if cfg.lr_min > cfg.lr_max:
        raise ConfigError(f"config lr_min={cfg.lr_min!r} is above lr_max={cfg.lr_max!r}; lr_min must be <= lr_max")
    name = "num_funcs" if cfg.space == "rnn" else "num_branches"
    ops, low = default_ops(cfg.space), 2 if cfg.space == "micro" else 1  # the micro controller biases 2 ops
    if not low <= getattr(cfg, name) <= len(ops):
        raise ConfigError(
            f"config {name}={getattr(cfg, name)!r}: the {cfg.space} space has {len(ops)} ops ({', '.join(ops)}); "
            f"{name} must be in {low}..{len(ops)}"
        )
    return cfg
