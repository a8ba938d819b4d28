"""Parameter sharing, checked: a child of the shared network equals the same arc built fixed.

:func:`fixed_from_shared` builds the fixed network of an arc (only that arc's ops) and
copies the shared weights it needs, by name; :func:`check_sharing` runs both on one batch
and returns the largest difference of their outputs (0 up to float rounding).
"""

from __future__ import annotations

import torch
from torch import nn

from .child import build_child

__all__ = ["fixed_from_shared", "check_sharing"]


def fixed_from_shared(shared: nn.Module, cfg, data, arc) -> nn.Module:
    """The fixed network of ``arc`` holding the shared network's weights for it."""
    fixed = build_child(cfg, data, arc)
    source = shared.state_dict()
    names = [k for k, _ in fixed.named_parameters()]  # BN running statistics are the fixed network's own
    missing = [k for k in names if k not in source or source[k].shape != fixed.state_dict()[k].shape]
    if missing:
        raise ValueError(f"the shared network has no weights for {missing[:5]} (of {len(missing)})")
    fixed.load_state_dict({k: source[k] for k in names}, strict=False)
    # a fixed network keeps running BN statistics; compare in the same mode: batch statistics
    for module in fixed.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.track_running_stats = False
            module.running_mean = module.running_var = module.num_batches_tracked = None
    return fixed.to(next(shared.parameters()).device)


@torch.no_grad()
def check_sharing(shared: nn.Module, cfg, data, arc, x: torch.Tensor) -> float:
    """Max |shared(x, arc) - fixed(x)| for one batch ``x`` (images, or (B, T) word ids)."""
    fixed = fixed_from_shared(shared, cfg, data, arc)
    shared.eval()
    fixed.eval()
    if cfg.space == "rnn":
        hidden = shared.init_hidden(x.shape[0], x.device)
        a, _ = shared(x, hidden, arc)
        b, _ = fixed(x, hidden)
    else:
        a, b = shared(x, arc), fixed(x)
    shared.train()
    return float((a - b).abs().max())
