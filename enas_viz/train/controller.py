"""The ENAS controller: an LSTM policy that samples arcs token by token.

It writes the authors' encodings directly (:mod:`enas_viz.arcs`):

* macro (``general_controller.py``): per layer an op from ``w_soft(h)``, then skip bits
  scored by attention against the anchors of earlier layers (two-way logits ``[-q, q]``);
  the next input is the mean of the chosen anchors. A KL penalty pulls the skip
  probabilities to ``skip_target``: as the authors, ``p = sigmoid(logits)`` of the squashed
  two-way logits (so ``p = [sigmoid(-q'), sigmoid(q')]``, not their softmax), summed over the
  layer's bits, averaged over layers (see :func:`skip_penalty`).
* micro (``micro_controller.py``): for the normal then the reduce cell, per node first the
  two input indices (attention over the anchors; one LSTM step each, the chosen anchor is
  the next input), then the two ops (one LSTM step each, the op's embedding is the next
  input); tokens are still written ``[x_id, x_op, y_id, y_op]``. Op logits are
  ``c' * tanh((w_soft(h) + b_soft) / T)`` with ``c' = tanh_constant / op_tanh_reduce`` and
  ``b_soft`` learnt (init [10, 10, 0, ...]); the normal cell then adds the fixed bias
  [0.25, 0.25, -0.25, ...] *after* the squash (the authors' ``b_soft_no_learn``).
* rnn (``ptb_enas_controller.py``): per node one LSTM step whose output becomes an anchor;
  then (node > 0) a previous node by attention (minus a distance penalty ``(i - j)^2 / 6``)
  whose anchor, scaled, is the next input, or (node 0) ``g_emb`` again; then a second LSTM
  step and the activation.

Logits are divided by ``temperature`` and squashed as ``c * tanh(logits)``. Sampling
uses torch's global generator, so one seed gives the same arcs on CPU.

Entropy: ``Sample.entropy`` is, in every space, the sum over tokens of the *full* entropy
``-sum_k p_k log p_k`` of each token's categorical (each skip bit of a macro layer counts as
one token), given the tokens sampled before it. It enters the reward as a constant (no
gradient flows through it, like the authors' ``stop_gradient``) and is what ``entropy`` in
``controller_step`` events reports. The authors' micro controller computes the same thing.
Their macro and rnn controllers do not: per token they add ``-p(a) log p(a)`` of the
*sampled* token ``a`` only (``log_prob * exp(-log_prob)`` with ``log_prob`` the
cross-entropy), one term of the entropy sum, which is never larger than the full entropy and
is not an unbiased estimate of it. So for macro and rnn our ``entropy`` (and with the same
``ctrl_entropy_weight``, the entropy bonus) is larger than the authors' logged ``ent=``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.distributions import Categorical

from ..arcs import Arc, parse_arc
from ..spaces import op_table

__all__ = ["Controller", "Sample", "reinforce_step", "controller_optimizer", "skip_penalty"]


def skip_penalty(logits: torch.Tensor, skip_target: float) -> torch.Tensor:
    """The authors' KL skip penalty of one macro layer: ``sum(p * log(p / [1 - t, t]))``, ``p = sigmoid(logits)``.

    ``logits`` are the layer's squashed two-way skip logits ``[-q, q]``, shape ``(layer, 2)``.
    """
    targets = torch.tensor([1.0 - skip_target, skip_target], dtype=logits.dtype)
    p = torch.sigmoid(logits)
    return (p * torch.log(p / targets)).sum()


@dataclass
class Sample:
    arc: Arc
    log_prob: torch.Tensor  # scalar, sum over tokens, differentiable
    entropy: torch.Tensor  # scalar, sum over tokens
    skip_penalty: torch.Tensor  # scalar; macro only (0 elsewhere)


class Controller(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg, self.space = cfg, cfg.space
        self.space_params = cfg.space_params
        n = cfg.ctrl_lstm_size
        self.num_ops = cfg.num_funcs if cfg.space == "rnn" else cfg.num_branches
        self.ops = op_table(cfg.space, self.num_ops)
        self.lstm = nn.LSTMCell(n, n)
        self.g_emb = nn.Parameter(torch.empty(1, n))  # the first input
        self.w_emb = nn.Embedding(self.num_ops, n)  # op -> next input
        self.w_soft = nn.Linear(n, self.num_ops, bias=False)
        self.w_attn_1 = nn.Linear(n, n, bias=False)  # anchors
        self.w_attn_2 = nn.Linear(n, n, bias=False)  # query
        self.v_attn = nn.Linear(n, 1, bias=False)
        for p in self.parameters():
            nn.init.uniform_(p, -0.1, 0.1)  # the authors' initializer
        if cfg.space == "micro":
            self.b_soft = nn.Parameter(torch.tensor([10.0, 10.0] + [0.0] * (self.num_ops - 2)))
            self.register_buffer("b_soft_normal", torch.tensor([0.25, 0.25] + [-0.25] * (self.num_ops - 2)))

    # -- helpers --------------------------------------------------------------------------------

    def _squash(self, logits, tanh_constant):
        if self.cfg.ctrl_temperature is not None:
            logits = logits / self.cfg.ctrl_temperature
        if tanh_constant is not None:
            logits = tanh_constant * torch.tanh(logits)
        return logits

    def _pick(self, logits, acc):  # logits (K,) or (L, K); acc: [log_probs, entropies]
        dist = Categorical(logits=logits)
        choice = dist.sample()
        acc[0].append(dist.log_prob(choice).sum())
        acc[1].append(dist.entropy().sum())
        return choice

    def _attention(self, anchors_w, h):  # (L, n), (1, n) -> (L,) scores
        return self.v_attn(torch.tanh(anchors_w + self.w_attn_2(h))).squeeze(-1)

    # -- sampling ---------------------------------------------------------------------------------

    def sample(self) -> Sample:
        """Sample one arc with its log probability, entropy and (macro) skip penalty."""
        n = self.cfg.ctrl_lstm_size
        state = (torch.zeros(1, n), torch.zeros(1, n))
        acc = [[], []]
        tokens, penalty = {"macro": self._macro, "micro": self._micro, "rnn": self._rnn}[self.space](state, acc)
        arc = parse_arc(tokens, self.space, **self.space_params)
        return Sample(arc, torch.stack(acc[0]).sum(), torch.stack(acc[1]).sum(), penalty)

    def _macro(self, state, acc):
        cfg, tokens, penalties = self.cfg, [], []
        anchors, anchors_w = [], []
        inputs = self.g_emb
        for layer in range(self.space_params["num_layers"]):
            state = self.lstm(inputs, state)  # op
            op = self._pick(self._squash(self.w_soft(state[0])[0], cfg.ctrl_tanh_constant), acc)
            tokens.append(int(op))
            state = self.lstm(self.w_emb(op)[None], state)  # skips
            if layer > 0:
                q = self._attention(torch.cat(anchors_w), state[0])[:, None]  # (layer, 1)
                logits = self._squash(torch.cat([-q, q], dim=1), cfg.ctrl_tanh_constant)  # (layer, 2)
                skips = self._pick(logits, acc)  # (layer,)
                penalties.append(skip_penalty(logits, cfg.ctrl_skip_target))
                tokens += skips.tolist()
                bits = skips.float()[None]  # (1, layer)
                inputs = bits @ torch.cat(anchors) / (1.0 + bits.sum())
            else:
                inputs = self.g_emb
            anchors.append(state[0])
            anchors_w.append(self.w_attn_1(state[0]))
        penalty = torch.stack(penalties).mean() if penalties else torch.zeros(())  # the authors' reduce_mean
        return tokens, penalty

    def _micro(self, state, acc):
        cfg, tokens = self.cfg, []
        op_tanh = cfg.ctrl_tanh_constant / cfg.ctrl_op_tanh_reduce if cfg.ctrl_tanh_constant else None
        for cell in ("normal", "reduce"):
            anchors, anchors_w = [], []
            inputs = self.g_emb
            for _ in range(2):  # the two cell inputs
                state = self.lstm(inputs, state)
                anchors.append(torch.zeros_like(state[0]))
                anchors_w.append(self.w_attn_1(state[0]))
            for _node in range(self.space_params["num_cells"]):
                indices, ops = [], []
                for _side in ("x", "y"):  # input indices first, one LSTM step each
                    state = self.lstm(inputs, state)
                    logits = self._squash(self._attention(torch.cat(anchors_w), state[0]), cfg.ctrl_tanh_constant)
                    indices.append(self._pick(logits, acc))
                    inputs = anchors[int(indices[-1])]
                for _side in ("x", "y"):  # then the two ops
                    state = self.lstm(inputs, state)
                    logits = self._squash(self.w_soft(state[0])[0] + self.b_soft, op_tanh)
                    if cell == "normal":
                        logits = logits + self.b_soft_normal  # after the squash, as the authors
                    ops.append(self._pick(logits, acc))
                    inputs = self.w_emb(ops[-1])[None]
                tokens += [int(indices[0]), int(ops[0]), int(indices[1]), int(ops[1])]
                state = self.lstm(inputs, state)
                anchors.append(state[0])
                anchors_w.append(self.w_attn_1(state[0]))
                inputs = self.g_emb
        return tokens, torch.zeros(())

    def _rnn(self, state, acc):
        cfg, tokens = self.cfg, []
        all_h, all_h_w = [], []
        inputs = self.g_emb
        for node in range(self.space_params["num_nodes"]):
            state = self.lstm(inputs, state)
            all_h.append(state[0])
            all_h_w.append(self.w_attn_1(state[0]))
            if node > 0:
                logits = self._attention(torch.cat(all_h_w[:-1]), state[0])  # (node,)
                logits = self._squash(logits, cfg.ctrl_tanh_constant)
                logits = logits - (node - torch.arange(node, dtype=torch.float32)) ** 2 / 6.0  # favour near nodes
                prev = self._pick(logits, acc)
                tokens.append(int(prev))
                inputs = all_h[int(prev)] / (0.1 + node - int(prev))
            else:
                inputs = self.g_emb
            state = self.lstm(inputs, state)  # node 0 too: the authors step on g_emb again
            func = self._pick(self._squash(self.w_soft(state[0])[0], cfg.ctrl_tanh_constant), acc)
            tokens.append(int(func))
            inputs = self.w_emb(func)[None]
        return tokens, torch.zeros(())


def reinforce_step(controller: Controller, opt: torch.optim.Optimizer, reward_fn, run: dict) -> dict:
    """One Adam step on the mean REINFORCE gradient of ``ctrl_num_aggregate`` sampled arcs.

    ``reward_fn(arc) -> (metric, reward)``; ``run["baseline"]`` is the moving-average
    baseline, updated before each sample's loss as in the authors' graph. The loss is
    ``-log p(arc) * (reward - baseline)`` plus the macro skip penalty.
    """
    cfg = controller.cfg
    opt.zero_grad(set_to_none=True)
    totals = {"loss": 0.0, "entropy": 0.0, "acc": 0.0, "reward": 0.0}
    n = cfg.ctrl_num_aggregate
    for _ in range(n):
        sample = controller.sample()
        metric, reward = reward_fn(sample.arc)
        reward += cfg.ctrl_entropy_weight * sample.entropy.item()  # the entropy bonus
        run["baseline"] -= (1 - cfg.ctrl_bl_dec) * (run["baseline"] - reward)
        loss = -sample.log_prob * (reward - run["baseline"])
        if cfg.ctrl_skip_weight:
            loss = loss + cfg.ctrl_skip_weight * sample.skip_penalty
        (loss / n).backward()  # gradients of the n samples are averaged
        for key, value in (
            ("loss", loss.item()),
            ("entropy", sample.entropy.item()),
            ("acc", metric),
            ("reward", reward),
        ):
            totals[key] += value / n
    grad_norm = float(torch.nn.utils.clip_grad_norm_(controller.parameters(), float("inf")))  # the norm, unclipped
    opt.step()
    run["ctrl_step"] = run.get("ctrl_step", 0) + 1
    return {**totals, "grad_norm": grad_norm}


def controller_optimizer(controller: Controller) -> torch.optim.Adam:
    """Adam with beta1 = 0 and eps = 1e-3, as the authors' controller."""
    return torch.optim.Adam(controller.parameters(), lr=controller.cfg.ctrl_lr, betas=(0.0, 0.999), eps=1e-3)
