"""Final training: one fixed arc, trained from scratch, logged like a search.

The arc's network holds only its own ops (``build_child(cfg, data, arc)``); each epoch is
one pass over the train split followed by valid and test evaluations, then a checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ..arcs import Arc, ArcError, parse_arc
from .child import Runtime, build_child, evaluate, num_train_batches, train_epoch
from .config import Config, make_config
from .data import check_fits, load_data
from .run import RunFiles, StopRun, progress_bar, seed_everything
from .search_loop import _callbacks

__all__ = ["train_final", "FinalResult", "arc_config"]


@dataclass
class FinalResult:
    out: Path
    events: Path
    arc: Arc
    evals: dict  # split -> last eval result
    config: Config
    status: str = "done"  # "done" | "stopped" (a Stop request; resume with resume=True)


def arc_config(arc: Arc) -> dict:
    """The Config fields the arc fixes (its size)."""
    if arc.space == "macro":
        if not arc.params["whole_channels"]:
            raise ArcError("the trainer builds whole-channel macro arcs only (one op token per layer)")
        return {"num_layers": arc.params["num_layers"], "num_branches": arc.params["num_branches"]}
    if arc.space == "micro":
        if not arc.params["reduce"]:
            raise ArcError("a micro arc for training needs both cells: normal then reduce (8 tokens per node)")
        return {"num_cells": arc.params["num_cells"], "num_branches": arc.params["num_branches"]}
    if arc.params.get("encoding", "enas") != "enas":
        raise ArcError("the trainer builds rnn arcs in the authors' encoding (2N-1 tokens)")
    return {"num_nodes": arc.params["num_nodes"], "num_funcs": arc.params["num_funcs"]}


def train_final(
    arc,
    dataset: str | None = None,
    epochs: int | None = None,
    out: str | Path = "runs/final",
    device: str = "auto",
    seed: int = 0,
    callbacks=(),
    preset: str = "paper",
    progress: bool = True,
    space: str | None = None,
    resume: bool = False,
    monitor: bool = False,
    **overrides,
) -> FinalResult:
    """Train ``arc`` (an Arc or its token string; give ``space`` if the length is ambiguous) from scratch."""
    arc = parse_arc(arc, space)
    cfg = make_config(arc.space, preset, final=True, dataset=dataset, epochs=epochs, seed=seed,
                      **{**overrides, **arc_config(arc)})  # fmt: skip
    files = RunFiles(out, resume, _callbacks(callbacks, monitor))
    if files.resumed:  # the same arc (older checkpoints do not record it), and the run's own config
        saved_arc = files.checkpoint.get("arc")
        if saved_arc is not None and saved_arc != str(arc):
            raise ValueError(
                f"{files.checkpoint_path} trains arc {saved_arc!r}, not {str(arc)!r}: resume with the run's arc, "
                "or train this arc in another out folder"
            )
        cfg = files.resume_config(cfg, epochs)
    rt = Runtime(device)
    seed_everything(cfg.seed)
    data = load_data(cfg.dataset, cfg.vocab_size).to(rt.device)
    check_fits(cfg, data)  # batches fit the splits, labels fit the classes
    model = rt.prepare(build_child(cfg, data, arc))
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr_max, momentum=cfg.momentum, nesterov=cfg.momentum > 0,
                          weight_decay=cfg.l2)  # fmt: skip
    generator = torch.Generator().manual_seed(cfg.seed)
    run, start_epoch = {"step": 0}, 0
    if files.resumed:
        model.load_state_dict(files.checkpoint["model"])
        opt.load_state_dict(files.checkpoint["opt"])
        run, start_epoch = dict(files.checkpoint["run"]), files.checkpoint["epoch"]
        files.restore_rng(generator)
    files.start(cfg, arc.params, arc.ops, str(rt), steps_per_epoch=num_train_batches(cfg, data))
    log, evals, status = files.log, {}, "error"
    try:
        epochs_bar = progress_bar(progress, total=cfg.epochs, initial=start_epoch, desc="final")
        for epoch in range(start_epoch, cfg.epochs):
            # -- train the fixed child for one epoch --------------------------------------------------
            train_epoch(model, opt, cfg, data, rt, generator, run, log, epoch, progress)

            # -- evaluate, checkpoint ---------------------------------------------------------------------
            for split in ("valid", "test"):
                if getattr(data, split) is not None:
                    evals[split] = evaluate(model, cfg, data, split, rt, lambda: None)
                    log.write("eval", epoch=epoch + 1, step=run["step"], split=split, **evals[split])
            files.save(epoch + 1, {"model": model.state_dict(), "opt": opt.state_dict(), "run": run,
                                   "config": cfg.to_dict(), "arc": str(arc)}, generator)  # fmt: skip
            epochs_bar.update()
        epochs_bar.close()
        status = "done"
    except StopRun:
        status = "stopped"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        files.end(status, arc=str(arc))
    return FinalResult(files.out, files.events, arc, evals, cfg, status)
