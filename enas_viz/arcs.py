"""Architecture strings ("arcs") of the three ENAS spaces: parse, validate, format.

An :class:`Arc` is the token sequence the authors' controller samples, with the space
it belongs to, that space's size parameters and the op names of its token values.
``str(arc)`` is the authors' flat token string, ready for ``--child_fixed_arc``.

Token layouts (see :mod:`enas_viz.spaces`; 0-based token positions in messages):

* macro, whole channels: layer L (0-based) is ``op s_0 ... s_(L-1)``; N(N+1)/2 tokens.
* macro, not whole channels: layer L is ``start_0 count_0 ... start_(B-1) count_(B-1)
  s_0 ... s_(L-1)``; 2BN + N(N-1)/2 tokens.
* micro: per node c (node id c+2) ``x_id x_op y_id y_op`` with ids in [0, c+1];
  normal cell then reduce cell, 8 * num_cells tokens (4 * num_cells with ``reduce=False``).
* rnn (``encoding="enas"``): ``f0 p1 f1 ... p(N-1) f(N-1)``, p_i in [0, i-1]; 2N-1 tokens.
* rnn (``encoding="enas_lm"``): ``p1 f1 ... pN fN`` after a fixed tanh node 0; 2N tokens.

Text is accepted in every form seen in the wild: plain tokens, numpy ``[...]`` lines
(padded and wrapped), commas, newlines, the ``fixed_arc="$fixed_arc 3 0"`` lines of the
``*_final.sh`` scripts and the glued flag line ``child_fixed_arc4 2 0 1 ...``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from .spaces import SPACES, op_table

__all__ = ["Arc", "ArcError", "parse_arc", "parse_tokens", "infer_space"]


class ArcError(ValueError):
    """An architecture string that does not describe an architecture of its space."""


_SHELL_LINE = re.compile(r"""^\s*(?:export\s+)?\w+\s*=\s*(["'])(.*)\1\s*;?\s*$""")
_FLAG_PREFIX = re.compile(r"^\s*-*(?:child_)?fixed_arc[.=\s]*")
_SIZE_PARAMS = {spec.size_param for spec in SPACES.values()}  # any space's size may be passed, as logs do
_SEPARATORS = re.compile(r"[\[\],;()\s\"']+")


def parse_tokens(text) -> list[int]:
    """The integer tokens of an arc written in any of the forms seen in the wild."""
    if isinstance(text, (list, tuple)):
        return [_as_token(t, i) for i, t in enumerate(text)]
    if hasattr(text, "tolist"):  # numpy array
        return [_as_token(t, i) for i, t in enumerate(text.tolist())]
    if not isinstance(text, str):
        raise ArcError(f"an arc is a string or a sequence of ints, not {type(text).__name__}")
    parts = []
    for line in text.splitlines():
        shell = _SHELL_LINE.match(line)
        if shell:  # fixed_arc="$fixed_arc 3 0"
            line = re.sub(r"\$\{?\w+\}?", " ", shell.group(2))
        line = _FLAG_PREFIX.sub("", line)  # child_fixed_arc4 2 0 ... / --child_fixed_arc=...
        parts.append(line)
    words = [w for w in _SEPARATORS.split(" ".join(parts)) if w]
    return [_as_token(w, i) for i, w in enumerate(words)]


def _as_token(word, position: int) -> int:
    try:
        value = int(word)
    except (TypeError, ValueError):
        raise ArcError(f"token {position} is {word!r}, expected an integer") from None
    if not isinstance(word, str) and value != word:  # 1.7 from a float array is not token 1
        raise ArcError(f"token {position} is {word!r}, expected an integer")
    if value < 0:
        raise ArcError(f"token {position} is {value}, expected a non-negative integer")
    return value


# ---------------------------------------------------------------------------------------
# sizes


def _triangular_root(n: int) -> int | None:
    """N with N(N+1)/2 == n, or None."""
    root = (math.isqrt(8 * n + 1) - 1) // 2
    return root if root * (root + 1) // 2 == n and root > 0 else None


def _macro_layers(n_tokens: int, whole_channels: bool, num_branches: int) -> int | None:
    if whole_channels:
        return _triangular_root(n_tokens)
    # 2BN + N(N-1)/2 = n  ->  N^2 + (4B-1)N - 2n = 0
    b = 4 * num_branches - 1
    disc = b * b + 8 * n_tokens
    root = (math.isqrt(disc) - b) // 2
    return root if root > 0 and 2 * num_branches * root + root * (root - 1) // 2 == n_tokens else None


def _size_params(space: str, n_tokens: int, params: dict) -> dict:
    """Complete ``params`` with the size that ``n_tokens`` implies, or raise ArcError."""
    p = {**SPACES[space].defaults, **params}
    if space == "macro":
        layers = _macro_layers(n_tokens, p["whole_channels"], p["num_branches"])
        if layers is None:
            form = "N(N+1)/2" if p["whole_channels"] else f"2*{p['num_branches']}*N + N(N-1)/2"
            raise ArcError(f"macro: {n_tokens} tokens is not {form} for any number of layers N")
        _check_given(space, "num_layers", params, layers, n_tokens)
        p["num_layers"] = layers
    elif space == "micro":
        per = 8 if p["reduce"] else 4
        if n_tokens == 0 or n_tokens % per:
            raise ArcError(
                f"micro: {n_tokens} tokens is not a multiple of {per} ({per // 4} cell(s) of 4 tokens per node)"
            )
        _check_given(space, "num_cells", params, n_tokens // per, n_tokens)
        p["num_cells"] = n_tokens // per
    else:
        lm = p["encoding"] == "enas_lm"
        if lm:
            if n_tokens == 0 or n_tokens % 2:
                raise ArcError(f"rnn (enas_lm): {n_tokens} tokens is not 2N for any number of nodes N")
            nodes = n_tokens // 2 + 1
        else:
            if n_tokens % 2 == 0:
                raise ArcError(f"rnn: {n_tokens} tokens is not 2N-1 for any number of nodes N")
            nodes = (n_tokens + 1) // 2
        _check_given(space, "num_nodes", params, nodes, n_tokens)
        p["num_nodes"] = nodes
    return p


def _check_given(space: str, name: str, params: dict, implied: int, n_tokens: int) -> None:
    if params.get(name) is not None and params[name] != implied:
        raise ArcError(f"{space}: {n_tokens} tokens give {name}={implied}, but {name}={params[name]} was given")


# ---------------------------------------------------------------------------------------
# validation: every message names the space, the place and the 0-based token position


def _validate(space: str, tokens: tuple[int, ...], p: dict, n_ops: int) -> None:
    if space == "macro":
        _validate_macro(tokens, p, n_ops)
    elif space == "micro":
        _validate_micro(tokens, p, n_ops)
    else:
        _validate_rnn(tokens, p, n_ops)


def _validate_macro(tokens, p, n_ops) -> None:
    pos = 0
    for layer in range(p["num_layers"]):
        if p["whole_channels"]:
            if tokens[pos] >= n_ops:
                raise ArcError(f"macro layer {layer}: op is {tokens[pos]}, expected 0..{n_ops - 1} (token {pos})")
            pos += 1
        else:
            for branch in range(p["num_branches"]):
                count = tokens[pos + 2 * branch + 1]
                if count < 1:
                    raise ArcError(
                        f"macro layer {layer}: branch {branch} count is {count}, expected >= 1 (token {pos + 2 * branch + 1})"
                    )
            pos += 2 * p["num_branches"]
        for bit in range(layer):
            if tokens[pos] not in (0, 1):
                raise ArcError(f"macro layer {layer}: skip bit {bit} is {tokens[pos]}, expected 0 or 1 (token {pos})")
            pos += 1


def _validate_micro(tokens, p, n_ops) -> None:
    cells = ("normal", "reduce") if p["reduce"] else ("normal",)
    for c_i, cell in enumerate(cells):
        for node in range(p["num_cells"]):
            base = 4 * (c_i * p["num_cells"] + node)
            for side, offset in (("x", 0), ("y", 2)):
                idx, op = tokens[base + offset], tokens[base + offset + 1]
                if idx > node + 1:
                    raise ArcError(
                        f"micro {cell} node {node + 2}: {side}_id is {idx}, expected 0..{node + 1} (token {base + offset})"
                    )
                if op >= n_ops:
                    raise ArcError(
                        f"micro {cell} node {node + 2}: {side}_op is {op}, expected 0..{n_ops - 1} (token {base + offset + 1})"
                    )


def _validate_rnn(tokens, p, n_ops) -> None:
    for node, prev, func, pos in _rnn_nodes(tokens, p["encoding"]):
        if prev is not None and prev >= node:
            raise ArcError(f"rnn node {node}: previous node is {prev}, expected 0..{node - 1} (token {pos - 1})")
        if func >= n_ops:
            raise ArcError(f"rnn node {node}: activation is {func}, expected 0..{n_ops - 1} (token {pos})")


def _rnn_nodes(tokens, encoding):
    """(node, prev, func, token position of func) per node; prev is None for node 0."""
    if encoding == "enas_lm":
        yield 0, None, 0, None  # the fixed tanh node of enas_lm has no token
        for i in range(len(tokens) // 2):
            yield i + 1, tokens[2 * i], tokens[2 * i + 1], 2 * i + 1
    else:
        yield 0, None, tokens[0], 0
        for i in range(1, (len(tokens) + 1) // 2):
            yield i, tokens[2 * i - 1], tokens[2 * i], 2 * i


# ---------------------------------------------------------------------------------------
# the Arc


@dataclass(frozen=True)
class Arc:
    """One architecture: its space, tokens, size parameters and op names.

    Build one with :func:`parse_arc`; the constructor trusts its arguments.
    """

    space: str
    tokens: tuple[int, ...]
    params: dict = field(default_factory=dict, compare=False, hash=False)
    ops: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def __str__(self) -> str:
        return " ".join(map(str, self.tokens))

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        text = str(self) if len(self.tokens) <= 40 else " ".join(map(str, self.tokens[:40])) + " ..."
        return f"Arc({self.space}, {self._size_text()}, '{text}')"

    def _size_text(self) -> str:
        size = SPACES[self.space].size_param
        return f"{size}={self.params.get(size)}"

    # -- structure --------------------------------------------------------------------

    @cached_property
    def layers(self) -> list[tuple[int | tuple[int, ...], tuple[int, ...]]]:
        """macro: ``(op, skip_bits)`` per layer; op is the (start, count) pairs when not whole-channels."""
        self._need("macro")
        out, pos = [], 0
        for layer in range(self.params["num_layers"]):
            width = 1 if self.params["whole_channels"] else 2 * self.params["num_branches"]
            head = self.tokens[pos : pos + width]
            pos += width
            out.append((head[0] if width == 1 else tuple(head), tuple(self.tokens[pos : pos + layer])))
            pos += layer
        return out

    @cached_property
    def cells(self) -> dict[str, list[tuple[int, int, int, int]]]:
        """micro: ``{"normal": [(x_id, x_op, y_id, y_op), ...], "reduce": [...]}``."""
        self._need("micro")
        n = self.params["num_cells"]
        quads = [tuple(self.tokens[i : i + 4]) for i in range(0, len(self.tokens), 4)]
        out = {"normal": quads[:n]}
        if self.params["reduce"]:
            out["reduce"] = quads[n:]
        return out

    @cached_property
    def nodes(self) -> list[tuple[int | None, int]]:
        """rnn: ``(prev, func)`` per node, prev None for node 0 (fed by x[t] and h[t-1])."""
        self._need("rnn")
        return [(prev, func) for _, prev, func, _ in _rnn_nodes(self.tokens, self.params["encoding"])]

    def op_name(self, op_id: int) -> str:
        return self.ops[op_id]

    def choices(self) -> list[tuple[str, str]]:
        """``(position, op name)`` for every op decision, in token order.

        Positions are stable across arcs of one space and size, e.g. ``"layer 3"``,
        ``"normal node 2 x"`` or ``"node 5"``: the rows of an op-frequency plot.
        """
        if self.space == "macro":
            if not self.params["whole_channels"]:
                return []
            return [(f"layer {i}", self.ops[op]) for i, (op, _) in enumerate(self.layers)]
        if self.space == "micro":
            return [
                (f"{cell} node {i + 2} {side}", self.ops[quad[k]])
                for cell, quads in self.cells.items()
                for i, quad in enumerate(quads)
                for side, k in (("x", 1), ("y", 3))
            ]
        return [(f"node {i}", self.ops[func]) for i, (_, func) in enumerate(self.nodes)]

    def skip_density(self) -> float:
        """macro: the share of skip bits that are 1 (NaN for one layer)."""
        bits = [b for _, skips in self.layers for b in skips]
        return sum(bits) / len(bits) if bits else float("nan")

    # -- identity ---------------------------------------------------------------------

    def canonical_key(self) -> str:
        """A key equal for arcs that describe the same network.

        micro: a node's two inputs are summed, so (x_id, x_op) and (y_id, y_op) are
        sorted. macro and rnn tokens have no such symmetry and are kept as they are.
        """
        if self.space == "micro":
            cells = []
            for quads in self.cells.values():
                cells.append(
                    " ".join(f"{min((a, b), (c, d))}{max((a, b), (c, d))}".replace(" ", "") for a, b, c, d in quads)
                )
            return "micro:" + "|".join(cells)
        return f"{self.space}:{self}"

    # -- other representations --------------------------------------------------------

    def format(self, style: str = "flat") -> str:
        """The arc as text: ``flat`` tokens, numpy-like ``lines`` (one per layer or cell),
        or ``shell`` lines for the authors' ``*_final.sh`` scripts."""
        if style == "flat":
            return str(self)
        if self.space == "macro":
            groups = [[*(op if isinstance(op, tuple) else (op,)), *skips] for op, skips in self.layers]
        elif self.space == "micro":
            groups = [[t for quad in quads for t in quad] for quads in self.cells.values()]
        else:
            groups = [list(self.tokens)]
        rows = [" ".join(map(str, g)) for g in groups]
        if style == "lines":
            return "\n".join(f"[{r}]" for r in rows)
        if style == "shell":
            return "\n".join(
                f'fixed_arc="{r}"' if i == 0 else f'fixed_arc="$fixed_arc {r}"' for i, r in enumerate(rows)
            )
        raise ValueError(f"unknown style {style!r}; expected 'flat', 'lines' or 'shell'")

    def to_networkx(self):
        """The DAG of this arc (conventions in :mod:`enas_viz.graph`)."""
        from .graph import to_networkx

        return to_networkx(self)

    def _need(self, space: str) -> None:
        if self.space != space:
            raise AttributeError(f"this is a {self.space} arc; that attribute is for {space} arcs")


# ---------------------------------------------------------------------------------------
# parse


def parse_arc(text, space: str | None = None, ops=None, **params) -> Arc:
    """Parse an architecture string of the ``macro``, ``micro`` or ``rnn`` space.

    ``space`` may be left out when the tokens fit only one space; size parameters
    (``num_layers``, ``num_cells``, ``num_nodes``) are inferred from the token count.
    ``ops`` names the op ids (for forks with other op tables). Raises :class:`ArcError`
    naming the token position of anything wrong.
    """
    if isinstance(text, Arc):
        if space in (None, text.space) and ops is None and not params:
            return text
        text = text.tokens  # parse again in the space and size asked for
    tokens = tuple(parse_tokens(text))
    if not tokens:
        raise ArcError("empty arc: no tokens found")
    if space is None:
        return infer_space(tokens, ops=ops, **params)
    if space not in SPACES:
        raise ArcError(f"unknown space {space!r}; expected one of {sorted(SPACES)}")
    unknown = set(params) - set(SPACES[space].defaults) - _SIZE_PARAMS
    if unknown:
        raise TypeError(f"parse_arc: unknown parameter(s) {sorted(unknown)} for space {space!r}")
    count_name = SPACES[space].count_param
    if ops is not None and params.get(count_name) is None:
        params = {**params, count_name: len(ops)}  # ops= also says how many ops there are
    p = _size_params(space, len(tokens), params)
    names = op_table(space, p[count_name], ops, p.get("encoding", "enas"))
    _validate(space, tokens, p, p[count_name])
    return Arc(space, tokens, p, names)


def infer_space(tokens, ops=None, **params) -> Arc:
    """Parse ``tokens`` in whichever space they fit; raise ArcError if none or several do."""
    tokens = tuple(parse_tokens(tokens))
    fits, reasons = [], []
    for space in ("macro", "micro", "rnn"):
        own = {k: v for k, v in params.items() if k in SPACES[space].defaults or k in _SIZE_PARAMS}
        try:
            fits.append(parse_arc(tokens, space, ops=ops, **own))
        except (ArcError, ValueError, TypeError) as err:
            reasons.append(str(err) if str(err).startswith(space) else f"{space}: {err}")
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise ArcError(f"{len(tokens)} tokens fit no space:\n  " + "\n  ".join(reasons))
    names = " and ".join(f"{a.space} ({a._size_text()})" for a in fits)
    raise ArcError(f"ambiguous: {len(tokens)} tokens fit {names}; pass space='macro', 'micro' or 'rnn'")
