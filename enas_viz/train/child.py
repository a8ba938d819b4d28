"""Space-independent glue around the child networks: build, batches, one step, evaluation.

Images and text differ in what a batch is (``(B, C, H, W)`` images vs ``(B, T)`` word
windows whose hidden state carries over) and in the metric (accuracy vs perplexity);
the search and final-training loops call these functions and stay the same for all spaces.
"""

from __future__ import annotations

import math
from contextlib import nullcontext

import torch
import torch.nn.functional as F
from torch import nn

from .cnn import MacroNet, MicroNet
from .data import ImageData, TextData, augment_batch, image_batches, text_batches
from .rnn import RNNNet
from .run import child_lr, progress_bar

__all__ = ["build_child", "check_data", "Runtime", "train_batches", "batch_loss", "evaluate", "valid_minibatch"]


def check_data(cfg, data) -> None:
    """Raise if the space cannot learn from this data set."""
    if cfg.space == "rnn" and not isinstance(data, TextData):
        raise ValueError(f"space 'rnn' needs text (dataset 'pydoc' or 'ptb:DIR'), got image data {data.name!r}")
    if cfg.space != "rnn" and not isinstance(data, ImageData):
        raise ValueError(f"space {cfg.space!r} needs images (e.g. 'digits', 'cifar10:DIR'), got text {data.name!r}")


def build_child(cfg, data, arc=None) -> nn.Module:
    """The shared network of ``cfg.space`` (``arc=None``) or the fixed network of ``arc``."""
    check_data(cfg, data)
    if cfg.space == "rnn":
        return RNNNet(cfg, len(data.vocab), arc)
    net = MacroNet if cfg.space == "macro" else MicroNet
    return net(cfg, data.shape[0], data.num_classes, arc)


class Runtime:
    """Device, mixed precision and memory format of one run."""

    def __init__(self, device: str = "auto"):
        if device == "auto":
            if torch.cuda.is_available():
                device = "cuda"
            elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
                device = "mps"
            else:
                device = "cpu"
        self.device = _check_device(device)
        self.cuda = self.device.type == "cuda"
        if self.device.type == "cpu":
            # Denormal floats appear in the weights and gradients of these nets after a few SGD steps and make
            # CPU convolutions up to 30x slower (measured: a macro step 0.2 s -> 4 s); flushing them costs nothing.
            torch.set_flush_denormal(True)

    def autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16) if self.cuda else nullcontext()

    def images(self, x):  # channels_last suits tensor cores
        return x.contiguous(memory_format=torch.channels_last) if self.cuda and x.dim() == 4 else x

    def prepare(self, model: nn.Module) -> nn.Module:
        model = model.to(self.device)
        return model.to(memory_format=torch.channels_last) if self.cuda else model

    def __str__(self) -> str:
        return str(self.device)


def _check_device(device) -> torch.device:
    """``device`` as a torch.device, or a ValueError saying why this machine cannot run on it."""
    expected = "expected auto, cpu, cuda, cuda:N or mps"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device {device!r} (--device): not a device; {expected}") from None
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device {device!r} (--device): the trainer does not run on {dev.type}; {expected}")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            why = "this torch is a CPU-only build" if torch.version.cuda is None else "no CUDA GPU is visible"
            raise ValueError(f"device {device!r} (--device): {why}; use cpu, or auto to take what this machine has")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device {device!r} (--device): this machine has {torch.cuda.device_count()} CUDA device(s), "
                f"cuda:0 .. cuda:{torch.cuda.device_count() - 1}"
            )
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device {device!r} (--device): Apple MPS is not available here; use cpu or auto")
    return dev


def train_batches(cfg, data, generator: torch.Generator):
    """The shared-training batches of one epoch (shuffled, augmented images; consecutive text)."""
    if isinstance(data, TextData):
        yield from text_batches(data.train, cfg.batch_size, cfg.bptt, cfg.max_train_batches)
        return
    augment = cfg.augment if cfg.augment is not None else data.shape[0] == 3 and data.shape[1] == 32
    for x, y in image_batches(data.train, cfg.batch_size, generator, cfg.max_train_batches):
        yield (augment_batch(x, generator) if augment else x), y


def num_train_batches(cfg, data) -> int:
    if isinstance(data, TextData):
        n = math.ceil(((len(data.train) - 1) // cfg.batch_size) / cfg.bptt)
    else:
        n = math.ceil(len(data.train[1]) / cfg.batch_size)
    return min(n, cfg.max_train_batches) if cfg.max_train_batches else n


def batch_loss(model, x, y, arc, rt: Runtime, state: dict):
    """Mean loss of one batch and its metric: ``(loss, correct count or None, n)``.

    The count is a 0-dim tensor on the device (reading it waits for the GPU; callers do
    that only when they need the number). For text, ``state["hidden"]`` carries the
    recurrent state between windows.
    """
    x, y = rt.images(x.to(rt.device, non_blocking=True)), y.to(rt.device, non_blocking=True)
    with rt.autocast():
        if isinstance(model, RNNNet):
            hidden = state.get("hidden")
            if hidden is None or hidden.shape[0] != x.shape[0]:
                hidden = model.init_hidden(x.shape[0], rt.device)
            logits, hidden = model(x, hidden, arc)  # (B, T, V)
            state["hidden"] = hidden.detach()
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
            return loss, None, y.numel()
        logits = model(x, arc)  # (B, num_classes)
        loss = F.cross_entropy(logits.float(), y)
        return loss, (logits.argmax(dim=1) == y).sum(), len(y)


@torch.no_grad()
def evaluate(model, cfg, data, split: str, rt: Runtime, arc_for_batch) -> dict:
    """Accuracy (images) or perplexity (text) on a split; ``arc_for_batch()`` gives each batch's arc."""
    model.eval()
    total_loss, correct, n = _zero(rt), 0, 0  # device tensors: one sync at the end, not two per batch
    state: dict = {}
    if isinstance(data, TextData):
        batches = text_batches(getattr(data, split), cfg.eval_batch_size // 10 or 1, cfg.bptt, cfg.max_eval_batches)
    else:
        batches = image_batches(getattr(data, split), cfg.eval_batch_size, None, cfg.max_eval_batches)
    for x, y in batches:
        loss, c, k = batch_loss(model, x, y, arc_for_batch(), rt, state)
        total_loss = total_loss + loss.detach().to(total_loss.dtype) * k
        correct = correct + c if c is not None else correct
        n += k
    model.train()
    loss, correct = total_loss.item() / max(n, 1), int(correct)
    if isinstance(data, TextData):
        return {"accuracy": None, "ppl": math.exp(min(loss, 10.0)), "loss": loss}  # the authors cap log ppl at 10
    return {"accuracy": correct / max(n, 1), "ppl": None, "loss": loss}


def valid_minibatch(cfg, data, generator: torch.Generator):
    """One random validation minibatch (the controller's reward is measured on one)."""
    if isinstance(data, TextData):
        B, T = max(cfg.batch_size, 1), cfg.bptt
        n = len(data.valid) - T - 1
        starts = torch.randint(0, max(n, 1), (B,), generator=generator)
        idx = starts[:, None] + torch.arange(T)  # (B, T)
        return data.valid[idx.to(data.valid.device)], data.valid[(idx + 1).to(data.valid.device)]
    x, y = data.valid
    idx = torch.randint(0, len(y), (min(cfg.batch_size, len(y)),), generator=generator).to(y.device)
    return x[idx], y[idx]


@torch.no_grad()
def score(model, x, y, arc, rt: Runtime, cfg) -> tuple[float, float]:
    """``(metric, reward)`` of ``arc`` on one validation minibatch: accuracy, or 80 / ppl for text."""
    model.eval()
    loss, correct, n = batch_loss(model, x, y, arc, rt, {})
    model.train()
    if correct is not None:
        correct = int(correct)
    if correct is None:
        ppl = math.exp(min(loss.item(), 10.0))
        return ppl, cfg.reward_constant / ppl
    return correct / n, correct / n


def _zero(rt: Runtime) -> torch.Tensor:
    """A running sum on the device, in float64 where it exists: the same sums as adding ``.item()`` floats."""
    return torch.zeros((), dtype=torch.float32 if rt.device.type == "mps" else torch.float64, device=rt.device)


def train_epoch(
    model, opt, cfg, data, rt: Runtime, generator, run: dict, log, epoch: int, progress: bool, sample_arc=None
):
    """One pass over the train split: SGD steps on ``model``, a ``child_step`` event every ``log_every`` steps.

    ``sample_arc`` (search) gives a new arc for each batch of the shared network; ``None`` trains a fixed child.
    Loss, gradient norm and correct count stay on the device; they are read (a GPU sync) only on logged steps.
    """
    lr = child_lr(cfg, epoch)
    for group in opt.param_groups:
        group["lr"] = lr
    model.train()
    text_state, loss_sum, n_batches = {}, _zero(rt), 0
    bar = progress_bar(progress, total=num_train_batches(cfg, data), leave=False, desc=f"epoch {epoch}")
    for x, y in train_batches(cfg, data, generator):
        log.check_stop()
        arc = sample_arc() if sample_arc is not None else None
        loss, correct, n = batch_loss(model, x, y, arc, rt, text_state)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_bound)  # the norm before clipping
        opt.step()
        run["step"] += 1
        loss_sum, n_batches = loss_sum + loss.detach().to(loss_sum.dtype), n_batches + 1
        bar.update()
        if run["step"] % cfg.log_every == 0:
            log.write("child_step", epoch=epoch, step=run["step"], loss=loss.item(), lr=lr,
                      grad_norm=float(grad_norm), train_acc=None if correct is None else int(correct) / n,
                      train_ppl=math.exp(min(loss_sum.item() / n_batches, 10.0)) if correct is None else None,
                      minutes=log.minutes())  # fmt: skip
    bar.close()
