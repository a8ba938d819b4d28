"""Sharing overhead and search throughput of the enas_viz trainer.

Sharing overhead (default): the time of one training step (forward, backward, SGD) of a
sampled arc run through the shared network, over the time of the same step of the same
arc built as a fixed network holding the same weights; same batch, same device. The two
are timed interleaved (A B A B ...) so that load from other processes hits both alike;
the median of each is reported. Target: <= 1.15.

    .venv/bin/python benchmarks/bench_sharing.py                        # macro and micro, CPU
    .venv/bin/python benchmarks/bench_sharing.py --device cuda --batch 128

Search throughput (``--search``): a CIFAR-10 macro search epoch at the paper's settings
(12 layers, 36 channels, batch 128, 352 training steps with a new arc each, then
50 x 20 controller samples each scored on a validation batch), on synthetic 32x32x3
tensors; prints images/s and minutes per epoch next to the paper's 1080Ti figure
(7.7 GPU-hours / 310 epochs = 1.49 min/epoch, about 500 training images/s).

    .venv/bin/python benchmarks/bench_sharing.py --search --device cuda --data cifar-shaped
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from enas_viz.train.child import Runtime, build_child
from enas_viz.train.config import make_config
from enas_viz.train.controller import Controller
from enas_viz.train.data import ImageData
from enas_viz.train.sharing import fixed_from_shared

PAPER_MIN_PER_EPOCH = 7.7 * 60 / 310  # melodyguan/enas README: 7.7 hours on one 1080Ti for 310 epochs
PAPER_IMAGES_PER_S = 45000 / (PAPER_MIN_PER_EPOCH * 60)


def _synthetic(shape, n: int = 256) -> ImageData:
    x = torch.randn(n, *shape)  # (N, C, H, W)
    y = torch.randint(0, 10, (n,))
    return ImageData("cifar-shaped", (x, y), (x, y), None, 10)


def _sync(rt: Runtime) -> None:
    if rt.cuda:
        torch.cuda.synchronize()


def _step(model, opt, x, y, rt, arc=None):
    with rt.autocast():
        logits = model(x, arc) if arc is not None else model(x)
        loss = F.cross_entropy(logits.float(), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()


def sharing_overhead(space: str, rt: Runtime, batch: int, steps: int, shape, seed: int = 0, **overrides) -> dict:
    torch.manual_seed(seed)
    cfg = make_config(space, "paper", **overrides)
    data = _synthetic(shape)
    shared = rt.prepare(build_child(cfg, data))
    with torch.no_grad():
        arc = Controller(cfg).sample().arc
    fixed = rt.prepare(fixed_from_shared(shared, cfg, data, arc))
    x, y = rt.images(data.train[0][:batch].to(rt.device)), data.train[1][:batch].to(rt.device)
    opts = {name: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, nesterov=True)
            for name, m in (("shared", shared), ("fixed", fixed))}  # fmt: skip
    times = {"shared": [], "fixed": []}
    for i in range(steps + 3):  # 3 warm-up rounds
        for name, model in (
            (("shared", shared), ("fixed", fixed)) if i % 2 == 0 else (("fixed", fixed), ("shared", shared))
        ):
            _sync(rt)
            start = time.perf_counter()
            _step(model, opts[name], x, y, rt, arc if name == "shared" else None)
            _sync(rt)
            if i >= 3:
                times[name].append(time.perf_counter() - start)
    shared_s, fixed_s = statistics.median(times["shared"]), statistics.median(times["fixed"])
    return {"space": space, "arc": str(arc), "shared_ms": 1e3 * shared_s, "fixed_ms": 1e3 * fixed_s,
            "ratio": shared_s / fixed_s, "steps": steps}  # fmt: skip


def search_throughput(rt: Runtime, steps: int, ctrl_samples: int) -> dict:
    """Time a sample of a paper macro epoch's work and extrapolate to the whole epoch."""
    cfg = make_config("macro", "paper")
    data = _synthetic((3, 32, 32), n=cfg.batch_size)
    shared = rt.prepare(build_child(cfg, data))
    controller = Controller(cfg)
    opt = torch.optim.SGD(shared.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=cfg.l2)
    x, y = rt.images(data.train[0].to(rt.device)), data.train[1].to(rt.device)
    for _ in range(3):  # warm-up
        with torch.no_grad():
            _step(shared, opt, x, y, rt, controller.sample().arc)
    _sync(rt)
    start = time.perf_counter()
    for _ in range(steps):
        with torch.no_grad():
            arc = controller.sample().arc
        _step(shared, opt, x, y, rt, arc)
    _sync(rt)
    train_step = (time.perf_counter() - start) / steps
    start = time.perf_counter()
    for _ in range(ctrl_samples):  # controller phase: sample with grad, score on one validation batch
        sample = controller.sample()
        with torch.no_grad(), rt.autocast():
            acc = (shared(x, sample.arc).argmax(1) == y).float().mean().item()
        (-sample.log_prob * acc).backward()
    _sync(rt)
    ctrl_sample = (time.perf_counter() - start) / ctrl_samples
    epoch_s = 352 * train_step + cfg.ctrl_train_steps * cfg.ctrl_num_aggregate * ctrl_sample
    return {"train_step_ms": 1e3 * train_step, "ctrl_sample_ms": 1e3 * ctrl_sample, "min_per_epoch": epoch_s / 60,
            "images_per_s": 45000 / epoch_s, "vs_paper": PAPER_MIN_PER_EPOCH * 60 / epoch_s}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=15, help="timed steps per network")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--search", action="store_true", help="time a paper-settings CIFAR-10 macro search epoch")
    parser.add_argument("--data", default="cifar-shaped", choices=["cifar-shaped"], help="synthetic 32x32x3 inputs")
    parser.add_argument("--ctrl-samples", type=int, default=100)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rt = Runtime(args.device)
    print(f"device {rt}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    if args.search:
        r = search_throughput(rt, args.steps, args.ctrl_samples)
        print(f"macro search, paper settings: train step {r['train_step_ms']:.1f} ms, controller sample "
              f"{r['ctrl_sample_ms']:.1f} ms -> {r['min_per_epoch']:.2f} min/epoch, {r['images_per_s']:.0f} img/s "
              f"({r['vs_paper']:.1f}x the paper's {PAPER_IMAGES_PER_S:.0f} img/s, {PAPER_MIN_PER_EPOCH:.2f} min/epoch)")  # fmt: skip
        return
    for space in ("macro", "micro"):
        r = sharing_overhead(space, rt, args.batch, args.steps, (3, 32, 32))
        print(f"{space}: shared {r['shared_ms']:.1f} ms, fixed {r['fixed_ms']:.1f} ms, ratio {r['ratio']:.3f} "
              f"(batch {args.batch}, median of {r['steps']}; arc {r['arc'][:60]}...)")  # fmt: skip


if __name__ == "__main__":
    main()
