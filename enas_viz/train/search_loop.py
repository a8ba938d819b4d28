"""ENAS search, top to bottom: the paper's schedule (Pham et al. 2018, melodyguan/enas).

Each epoch:
  1. shared weights: one pass over the train split, a freshly sampled child per batch
     (SGD with Nesterov momentum, cosine lr with restarts, l2, global-norm clipping);
  2. controller: ``ctrl_train_steps`` Adam steps, each averaging REINFORCE gradients of
     ``ctrl_num_aggregate`` arcs rewarded by their accuracy (80 / ppl for rnn) on one
     validation minibatch, minus a moving-average baseline, plus an entropy bonus;
  3. ten sampled arcs, each scored on a validation minibatch (``arc_sample`` events);
  4. evaluation of sampled children on the valid and test splits;
  5. a checkpoint.
Finally ``derive_samples`` arcs are sampled and the best on a validation minibatch is the
result. Everything is logged to ``out/events.jsonl`` and handed to ``callbacks`` live.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch

from ..arcs import Arc
from .child import Runtime, build_child, evaluate, num_train_batches, score, train_epoch, valid_minibatch
from .config import Config, check_config, make_config
from .controller import Controller, controller_optimizer, reinforce_step
from .data import check_fits, load_data
from .run import RunFiles, StopRun, progress_bar, seed_everything

__all__ = ["search", "SearchResult"]


@dataclass
class SearchResult:
    """What a search leaves: its folder, log and the arc the controller derived at the end.

    ``derived_arc`` is the paper's pick, the arc to train from scratch: ``derive_samples`` arcs sampled from the
    final controller, the best on one validation minibatch of the final shared weights. It is not the top
    scorer among the arcs sampled during the search (``read_log(events).best()``), whose score was measured
    on earlier shared weights and one minibatch. ``None`` if the search was stopped or failed.
    """

    out: Path
    events: Path
    derived_arc: Arc | None
    derived_reward: float | None
    config: Config
    status: str = "done"  # "done" | "stopped" (a Stop request; resume with resume=True)


def _sample(controller: Controller):
    """A new arc for the next batch of shared training (no gradient through the controller here)."""
    with torch.no_grad():
        return controller.sample().arc


def _callbacks(callbacks, monitor: bool) -> list:
    callbacks = list(callbacks or [])
    if monitor:
        from IPython.display import display

        from enas_viz.widgets import SearchMonitor

        widget = SearchMonitor()
        display(widget)
        callbacks.append(widget)
    return callbacks


def search(
    space: str = "macro",
    dataset: str | None = None,
    epochs: int | None = None,
    out: str | Path = "runs/search",
    device: str = "auto",
    seed: int = 0,
    callbacks=(),
    preset: str = "paper",
    progress: bool = True,
    monitor: bool = False,
    resume: bool = False,
    config: Config | None = None,
    **overrides,
) -> SearchResult:
    """Run an ENAS search and log it to ``out/events.jsonl``; see the module docstring.

    ``preset`` is ``"paper"`` (the authors' settings) or ``"tiny"`` (seconds on a CPU);
    ``overrides`` set any :class:`Config` field. ``resume=True`` continues the run in
    ``out`` from its last checkpoint, in the same log.
    """
    cfg = check_config(config or make_config(space, preset, dataset=dataset, epochs=epochs, seed=seed, **overrides))
    files = RunFiles(out, resume, _callbacks(callbacks, monitor))
    if files.resumed:  # the run's own config; only the number of epochs may grow
        cfg = files.resume_config(cfg, epochs)
    rt = Runtime(device)
    seed_everything(cfg.seed)
    data = load_data(cfg.dataset, cfg.vocab_size).to(rt.device)
    check_fits(cfg, data)  # batches fit the splits, labels fit the classes

    # -- the two models and their optimizers -------------------------------------------------
    shared = rt.prepare(build_child(cfg, data))
    controller = Controller(cfg)  # on the CPU: a 64-unit LSTM stepping token by token is latency bound
    child_opt = torch.optim.SGD(shared.parameters(), lr=cfg.lr_max, momentum=cfg.momentum,
                                nesterov=cfg.momentum > 0, weight_decay=cfg.l2)  # fmt: skip
    ctrl_opt = controller_optimizer(controller)
    generator = torch.Generator().manual_seed(cfg.seed)  # data order and validation minibatches
    run = {"step": 0, "ctrl_step": 0, "baseline": 0.0}
    start_epoch = 0
    if files.resumed:
        ck = files.checkpoint
        shared.load_state_dict(ck["shared"])
        controller.load_state_dict(ck["controller"])
        child_opt.load_state_dict(ck["child_opt"])
        ctrl_opt.load_state_dict(ck["ctrl_opt"])
        run = dict(ck["run"])
        start_epoch = ck["epoch"]
        files.restore_rng(generator)
    files.start(cfg, cfg.space_params, controller.ops, str(rt), steps_per_epoch=num_train_batches(cfg, data))
    log = files.log
    status = "error"
    try:
        epochs_bar = progress_bar(progress, total=cfg.epochs, initial=start_epoch, desc=f"ENAS {cfg.space}")
        for epoch in range(start_epoch, cfg.epochs):
            # -- 1. shared weights: one pass over the train split, a new child each batch --------
            train_epoch(
                shared,
                child_opt,
                cfg,
                data,
                rt,
                generator,
                run,
                log,
                epoch,
                progress,
                sample_arc=lambda: _sample(controller),
            )
            done = epoch + 1  # the authors' "Epoch N:" counts finished epochs

            # -- 2. controller: REINFORCE on validation minibatches ---------------------------------
            if cfg.controller_training and done % cfg.ctrl_train_every == 0:
                for _ in range(cfg.ctrl_train_steps):
                    log.check_stop()
                    stats = _controller_step(cfg, controller, ctrl_opt, shared, data, rt, generator, run)
                    log.write("controller_step", epoch=done, ctrl_step=run["ctrl_step"], lr=cfg.ctrl_lr,
                              minutes=log.minutes(), baseline=run["baseline"], **stats)  # fmt: skip

            # -- 3. "Here are 10 architectures" -----------------------------------------------------
            for i in range(cfg.arcs_per_epoch):
                with torch.no_grad():
                    arc = controller.sample().arc
                metric, reward = score(shared, *valid_minibatch(cfg, data, generator), arc, rt, cfg)
                log.write("arc_sample", epoch=done, sample=i, space=cfg.space, arc=str(arc),
                          val_acc=metric if cfg.space != "rnn" else None, reward=reward)  # fmt: skip

            # -- 4. evaluate sampled children on valid and test -------------------------------------
            for split in ("valid", "test"):
                if getattr(data, split) is None:
                    continue
                with torch.no_grad():
                    result = evaluate(shared, cfg, data, split, rt, lambda: controller.sample().arc)
                log.write("eval", epoch=done, step=run["step"], split=split, **result)
                epochs_bar.set_postfix({split: result["accuracy"] if result["ppl"] is None else result["ppl"]})

            # -- 5. checkpoint -------------------------------------------------------------------------
            files.save(done, {"shared": shared.state_dict(), "controller": controller.state_dict(),
                              "child_opt": child_opt.state_dict(), "ctrl_opt": ctrl_opt.state_dict(),
                              "run": run, "config": cfg.to_dict()}, generator)  # fmt: skip
            epochs_bar.update()
        epochs_bar.close()

        # -- derive the final architecture: sample, score, keep the best --------------------------
        derived_arc, derived_reward = derive(cfg, controller, shared, data, rt, generator)
        status = "done"
    except StopRun:
        status = "stopped"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if status != "done":
            derived_arc, derived_reward = None, None
        files.end(
            status, derived_arc=str(derived_arc) if derived_arc is not None else None, derived_reward=derived_reward
        )
    if derived_arc is not None:
        (files.out / "derived_arc.txt").write_text(str(derived_arc) + "\n")
    return SearchResult(files.out, files.events, derived_arc, derived_reward, cfg, status)


def _controller_step(cfg, controller, opt, shared, data, rt, generator, run) -> dict:
    """One controller update, rewarded on validation minibatches of the shared network."""
    stats = reinforce_step(
        controller, opt, lambda arc: score(shared, *valid_minibatch(cfg, data, generator), arc, rt, cfg), run
    )
    if cfg.space == "rnn":
        stats["acc"] = None  # the metric was perplexity; the reward carries it
    return stats


def derive(cfg, controller, shared, data, rt, generator) -> tuple[Arc | None, float | None]:
    """The derived arc: of ``derive_samples`` sampled arcs, the one with the best validation-minibatch reward."""
    best_arc, best_reward = None, -math.inf
    x, y = valid_minibatch(cfg, data, generator)  # one minibatch for all: a fair comparison
    for _ in range(cfg.derive_samples):
        with torch.no_grad():
            arc = controller.sample().arc
        _, reward = score(shared, x, y, arc, rt, cfg)
        if reward > best_reward:
            best_arc, best_reward = arc, reward
    return best_arc, (best_reward if best_arc is not None else None)
