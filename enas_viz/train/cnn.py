"""The CNN children of the macro and micro spaces, shared or fixed, in one file.

One class per space serves both roles. Built with ``arc=None`` it holds the weights of
every op at every position (the shared network of the search) and ``forward(x, arc)``
runs only the ops the sampled ``arc`` selects. Built with ``arc=...`` it holds only
those ops, under the same parameter names, so ``fixed.load_state_dict(shared_subset)``
gives the same child with the same weights (:func:`enas_viz.train.sharing.fixed_from_shared`).

Macro (``general_child.py``): stem conv; layer L reads layer L-1 through one of six
branches (1x1 conv then 3x3/5x5 conv or separable conv, or 1x1 conv then 3x3 avg/max
pool); skip bit k adds node k (0 = stem), followed by batch norm; after each pool layer a
factorized reduction halves every earlier output. Micro (``micro_child.py``): stem, then
``num_layers + 2`` cells, the two at ``pool_layers`` reduction cells; each node sums two
ops on two earlier nodes, with weights per (cell, node, side, input, op); the cell output
concatenates the unused nodes and mixes them with a 1x1 conv whose weight slices belong
to the nodes.

Batch norm of a shared network always uses batch statistics: running averages over
different sampled children describe none of them. Fixed networks (final training) keep
running statistics.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..graph import macro_pool_layers

__all__ = ["MacroNet", "MicroNet", "micro_pool_layers"]


def _bn(c: int, running: bool) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, track_running_stats=running)


def _conv_bn_relu(cin: int, cout: int, k: int, running: bool) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), _bn(cout, running), nn.ReLU())


class _SepConv(nn.Sequential):
    """Depthwise k x k then pointwise 1x1 (TF's separable_conv2d)."""

    def __init__(self, c: int, k: int):
        super().__init__(nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False))


class MacroBranch(nn.Module):
    """One macro op: 1x1 conv + BN + ReLU, then (sep)conv k x k + BN + ReLU, or a 3x3 pool."""

    def __init__(self, op: int, cin: int, c: int, running: bool):
        super().__init__()
        self.inp = _conv_bn_relu(cin, c, 1, running)
        if op < 4:
            k = 3 if op in (0, 1) else 5
            conv = _SepConv(c, k) if op in (1, 3) else nn.Conv2d(c, c, k, padding=k // 2, bias=False)
            self.body = nn.Sequential(conv, _bn(c, running), nn.ReLU())
        elif op == 4:
            self.body = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        else:
            self.body = nn.MaxPool2d(3, 1, 1)

    def forward(self, x):
        return self.body(self.inp(x))


class FactorizedReduce(nn.Module):
    """Halve H and W: two strided 1x1 convs on the image and on it shifted by one pixel, concatenated."""

    def __init__(self, cin: int, cout: int, running: bool):
        super().__init__()
        self.path1 = nn.Conv2d(cin, cout // 2, 1, bias=False)
        self.path2 = nn.Conv2d(cin, cout - cout // 2, 1, bias=False)
        self.bn = _bn(cout, running)

    def forward(self, x):  # (B, C, H, W) -> (B, cout, H/2, W/2)
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.path1(x[:, :, ::2, ::2]), self.path2(shifted[:, :, ::2, ::2])], dim=1))


def _head(c: int, num_classes: int, keep_prob: float) -> nn.Sequential:
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(1 - keep_prob), nn.Linear(c, num_classes))


# ----------------------------------------------------------------------------------------
# macro


class MacroNet(nn.Module):
    def __init__(self, cfg, in_channels: int, num_classes: int, arc=None):
        super().__init__()
        self.arc, self.num_layers = arc, cfg.num_layers
        self.pool_layers = macro_pool_layers(cfg.num_layers)
        running = arc is not None
        c = cfg.out_filters
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), _bn(c, running))
        self.layers = nn.ModuleList()
        self.reduce = nn.ModuleDict()
        widths = [c]  # channels of every output so far: stem, layer 0, ...
        for layer in range(cfg.num_layers):
            ops = [arc.layers[layer][0]] if arc is not None else range(cfg.num_branches)
            block = nn.Module()
            block.branches = nn.ModuleDict({str(op): MacroBranch(op, c, c, running) for op in ops})
            if layer > 0:
                block.bn = _bn(c, running)
            self.layers.append(block)
            widths.append(c)
            if layer in self.pool_layers:
                c_out = 2 * c if cfg.grow else c
                self.reduce[str(layer)] = nn.ModuleList(FactorizedReduce(w, c_out, running) for w in widths)
                c, widths = c_out, [c_out] * len(widths)
        self.head = _head(c, num_classes, cfg.keep_prob)

    def forward(self, x, arc=None):  # (B, C_in, H, W) -> (B, num_classes)
        arc = arc if arc is not None else self.arc
        prev = [self.stem(x)]  # outputs of node 0 (stem), 1 (layer 0), ...; each (B, C, H, W)
        for layer, (op, skips) in enumerate(arc.layers):
            block = self.layers[layer]
            out = block.branches[str(op)](prev[-1])
            if layer > 0:
                for k, bit in enumerate(skips):
                    if bit:
                        out = out + prev[k]
                out = block.bn(out)
            prev.append(out)
            if layer in self.pool_layers:
                prev = [reduce(p) for reduce, p in zip(self.reduce[str(layer)], prev, strict=True)]  # (B, C', H/2, W/2)
        return self.head(prev[-1])


# ----------------------------------------------------------------------------------------
# micro


def micro_pool_layers(num_layers: int) -> list[int]:
    """Indices of the reduction cells among the ``num_layers + 2`` cells (``micro_child.py``)."""
    d = num_layers // 3
    return [d, 2 * d + 1]


class _SepStack(nn.Sequential):
    """Micro sep conv op: (ReLU, separable k x k, BN) twice."""

    def __init__(self, c: int, k: int, running: bool):
        layers = []
        for _ in range(2):
            layers += [nn.ReLU(), _SepConv(c, k), _bn(c, running)]
        super().__init__(*layers)


class _Calibrate(nn.Module):
    """Bring an input of a cell to ``c`` channels (and to the other input's size)."""

    def __init__(self, cin: int, c: int, halve: bool, running: bool):
        super().__init__()
        if halve:
            self.body = nn.Sequential(nn.ReLU(), FactorizedReduce(cin, c, running))
        elif cin != c:
            self.body = nn.Sequential(nn.ReLU(), nn.Conv2d(cin, c, 1, bias=False), _bn(c, running))
        else:
            self.body = nn.Identity()

    def forward(self, x):
        return self.body(x)


class MicroCell(nn.Module):
    def __init__(self, c_pp: int, c_p: int, c: int, num_cells: int, halve_first: bool, running: bool, quads=None):
        super().__init__()
        self.num_cells, self.c = num_cells, c
        self.calib0 = _Calibrate(c_pp, c, halve_first, running)
        self.calib1 = _Calibrate(c_p, c, False, running)
        self.ops = nn.ModuleDict()
        for node in range(num_cells):
            for side in ("x", "y"):
                if quads is not None:
                    q = quads[node]
                    choices = [(q[0], q[1])] if side == "x" else [(q[2], q[3])]
                else:
                    choices = [(i, op) for i in range(node + 2) for op in (0, 1)]
                for i, op in choices:
                    if op in (0, 1):
                        self.ops[f"n{node}{side}_in{i}_op{op}"] = _SepStack(c, 3 if op == 0 else 5, running)
        self.out_w = nn.Parameter(torch.empty(num_cells + 2, c, c))  # 1x1 conv slice per node that can be an output
        nn.init.kaiming_normal_(self.out_w)
        self.out_bn = _bn(c, running)

    def _op(self, node: int, side: str, i: int, op: int, x):
        if op in (0, 1):
            return self.ops[f"n{node}{side}_in{i}_op{op}"](x)
        if op == 2:
            return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
        if op == 3:
            return F.max_pool2d(x, 3, 1, 1)
        return x

    def forward(self, s0, s1, quads):  # (B, C_pp, 2H|H, ...), (B, C_p, H, W) -> (B, c, H, W)
        nodes = [self.calib0(s0), self.calib1(s1)]
        used = [False] * (self.num_cells + 2)
        for node, (x_id, x_op, y_id, y_op) in enumerate(quads):
            nodes.append(self._op(node, "x", x_id, x_op, nodes[x_id]) + self._op(node, "y", y_id, y_op, nodes[y_id]))
            used[x_id] = used[y_id] = True
        loose = [i for i, u in enumerate(used) if not u]
        out = torch.cat([nodes[i] for i in loose], dim=1)  # (B, len(loose) * c, H, W)
        w = self.out_w[loose].permute(1, 0, 2).reshape(self.c, len(loose) * self.c, 1, 1)
        return self.out_bn(F.conv2d(F.relu(out), w))


class MicroNet(nn.Module):
    def __init__(self, cfg, in_channels: int, num_classes: int, arc=None):
        super().__init__()
        self.arc = arc
        running = arc is not None
        n_cells = cfg.num_layers + 2
        self.pool_layers = micro_pool_layers(cfg.num_layers)
        c = cfg.out_filters
        self.stem = nn.Sequential(nn.Conv2d(in_channels, 3 * c, 3, padding=1, bias=False), _bn(3 * c, running))
        c_pp = c_p = 3 * c
        self.cells = nn.ModuleList()
        self.reduce = nn.ModuleDict()
        for layer in range(n_cells):
            kind = "reduce" if layer in self.pool_layers else "normal"
            if kind == "reduce":
                c *= 2
                self.reduce[str(layer)] = FactorizedReduce(c_p, c, running)
                c_pp, c_p = c_p, c  # the cell sees [previous output, its reduction]
            quads = arc.cells[kind] if arc is not None else None
            self.cells.append(MicroCell(c_pp, c_p, c, cfg.num_cells, kind == "reduce", running, quads))
            c_pp, c_p = c_p, c
        self.head = nn.Sequential(nn.ReLU(), _head(c, num_classes, cfg.keep_prob))

    def forward(self, x, arc=None):  # (B, C_in, H, W) -> (B, num_classes)
        arc = arc if arc is not None else self.arc
        x = self.stem(x)  # (B, 3c, H, W)
        s0 = s1 = x
        for layer, cell in enumerate(self.cells):
            kind = "normal"
            if layer in self.pool_layers:
                kind = "reduce"
                s0, s1 = s1, self.reduce[str(layer)](s1)  # the cell reads [previous output, its reduction]
            s0, s1 = s1, cell(s0, s1, arc.cells[kind])  # (B, c, H, W)
        return self.head(s1)
