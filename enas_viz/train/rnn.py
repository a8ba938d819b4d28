"""The RNN child of the rnn space (``ptb_enas_child.py``), shared or fixed, in one file.

A word-level language model: embedding, one recurrent cell of ``num_nodes`` nodes,
softmax tied to the embedding. Node 0 reads ``[x_t, h_{t-1}]``; node i reads its
previous node ``p_i``; every node is a highway layer ``s = s_in + c * (f(W s_in) - s_in)``
with gate ``c = sigmoid(W' s_in)`` and activation ``f`` (tanh, ReLU, identity, sigmoid).
The new hidden state is the mean of the loose ends (nodes no node reads).

Built with ``arc=None`` it holds one weight per (node, possible previous node), the
shared network; with ``arc=...`` only the arc's weights, under the same names.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..spaces import RNN_OPS

__all__ = ["RNNNet"]

_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda x: x, "sigmoid": torch.sigmoid}


class RNNNet(nn.Module):
    def __init__(self, cfg, vocab_size: int, arc=None):
        super().__init__()
        self.arc, self.hidden_size = arc, cfg.hidden_size
        H = cfg.hidden_size
        self.embedding = nn.Embedding(vocab_size, H)
        self.w_first = nn.Linear(2 * H, 2 * H, bias=False)  # node 0: [x_t, h_{t-1}] -> (gate, value)
        self.w_node = nn.ModuleDict()
        for node in range(1, cfg.num_nodes):
            parents = [arc.nodes[node][0]] if arc is not None else range(node)
            for p in parents:
                self.w_node[f"n{node}_p{p}"] = nn.Linear(H, 2 * H, bias=False)
        self.out_bias = nn.Parameter(torch.zeros(vocab_size))
        self.drop = nn.Dropout(cfg.rnn_dropout)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.uniform_(p, -0.1, 0.1)  # the authors' initializer

    def init_hidden(self, batch_size: int, device=None) -> torch.Tensor:
        return torch.zeros(batch_size, self.hidden_size, device=device)

    @staticmethod
    def _highway(s_in, gate_value, func):
        gate, value = gate_value.chunk(2, dim=-1)  # (B, H) each
        gate = torch.sigmoid(gate)
        return s_in + gate * (_ACTIVATIONS[RNN_OPS[func]](value) - s_in)

    def cell(self, x_t, h_prev, nodes, loose):  # (B, H), (B, H) -> (B, H)
        states = [self._highway(h_prev, self.w_first(torch.cat([x_t, h_prev], dim=-1)), nodes[0][1])]
        for node in range(1, len(nodes)):
            p, func = nodes[node]
            states.append(self._highway(states[p], self.w_node[f"n{node}_p{p}"](states[p]), func))
        return torch.stack([states[i] for i in loose]).mean(dim=0)

    def forward(self, tokens, hidden, arc=None):  # (B, T), (B, H) -> (B, T, V), (B, H)
        arc = arc if arc is not None else self.arc
        nodes = arc.nodes
        used = {p for p, _ in nodes[1:]}
        loose = [i for i in range(len(nodes)) if i not in used]
        x = self.drop(self.embedding(tokens))  # (B, T, H)
        outputs = []
        for t in range(tokens.shape[1]):
            hidden = self.cell(x[:, t], hidden, nodes, loose)
            outputs.append(hidden)
        out = self.drop(torch.stack(outputs, dim=1))  # (B, T, H)
        return F.linear(out, self.embedding.weight, self.out_bias), hidden  # tied softmax
