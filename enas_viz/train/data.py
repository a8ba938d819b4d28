"""Data sets, all read from disk or from packages already installed (nothing is downloaded).

``dataset`` names one of:

* ``"digits"``: scikit-learn's 8x8 digit images (1797, 10 classes), split 1197/300/300.
* ``"pydoc"``: the documentation text that ships with Python (``pydoc_data.topics``),
  word level, split 80/10/10.
* ``"cifar10:DIR"``: the CIFAR-10 python batches ``DIR/data_batch_1..5`` and ``DIR/test_batch``;
  the last 5000 training images are the validation split, as in the authors' code. The batches
  are pickles; they are read by an unpickler that builds only what the real files hold (dicts,
  lists, strings, numbers, numeric numpy arrays) and refuses any other reference before it runs.
* ``"folder:DIR"``: images ``DIR/{train,valid,test}/CLASS/*.png|jpg`` (test optional).
* ``"ptb:DIR"``: text ``DIR/{train,valid,test}.txt``, one sentence a line (test optional).
* ``"DIR"``: one of the three above, told apart by the files in ``DIR``.

Images become float tensors ``(N, C, H, W)`` normalised per channel with the training
split's mean and std; text becomes one long tensor of word ids per split.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .cifar import read_cifar_batch

__all__ = ["ImageData", "TextData", "load_data", "check_fits", "image_batches", "text_batches", "augment_batch"]

_IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


@dataclass
class ImageData:
    name: str
    train: tuple[torch.Tensor, torch.Tensor]  # (N, C, H, W) float, (N,) long
    valid: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor] | None
    num_classes: int
    kind: str = "image"

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.train[0].shape[1:])

    def to(self, device) -> ImageData:
        move = lambda s: None if s is None else (s[0].to(device), s[1].to(device))  # noqa: E731
        return ImageData(self.name, move(self.train), move(self.valid), move(self.test), self.num_classes)


@dataclass
class TextData:
    name: str
    train: torch.Tensor  # (N,) word ids
    valid: torch.Tensor
    test: torch.Tensor | None
    vocab: list[str]
    kind: str = "text"

    def to(self, device) -> TextData:
        move = lambda s: None if s is None else s.to(device)  # noqa: E731
        return TextData(self.name, move(self.train), move(self.valid), move(self.test), self.vocab)


def load_data(dataset: str, vocab_size: int = 10000) -> ImageData | TextData:
    """Load ``dataset`` (see the module docstring); raise a clear error if it is not there."""
    kind, _, path = dataset.partition(":") if ":" in dataset and not Path(dataset).exists() else ("", "", dataset)
    if not kind and dataset in ("digits", "pydoc"):
        kind = dataset
    if kind == "digits":
        return _digits()
    if kind == "pydoc":
        return _pydoc(vocab_size)
    root = Path(path).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"data set {dataset!r}: {root} is not a directory; expected 'digits', 'pydoc', or a directory "
            "with CIFAR-10 python batches, DIR/{train,valid,test}/CLASS/*.png images or DIR/{train,valid,test}.txt"
        )
    if not kind:
        kind = _detect(root)
    readers = {"cifar10": _cifar10, "folder": _folder, "ptb": _ptb}
    if kind not in readers:
        raise ValueError(f"data set {dataset!r}: unknown kind {kind!r}; expected one of {sorted(readers)}")
    return readers[kind](root)


def _detect(root: Path) -> str:
    if (root / "data_batch_1").exists():
        return "cifar10"
    if (root / "train.txt").exists():
        return "ptb"
    if (root / "train").is_dir():
        return "folder"
    raise FileNotFoundError(
        f"{root}: cannot tell the data format: expected CIFAR-10 python batches ({root}/data_batch_1..5, "
        f"test_batch), an image folder ({root}/train/CLASS/*.png) or PTB text ({root}/train.txt)"
    )


# -- images ---------------------------------------------------------------------------------


def _normalise(name, splits, num_classes) -> ImageData:
    """float (N, C, H, W) in [0, 1] -> normalised with the training split's per-channel stats."""
    x_train = splits["train"][0]
    mean = x_train.mean(dim=(0, 2, 3), keepdim=True)
    std = x_train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    out = {k: None if v is None else (((v[0] - mean) / std).contiguous(), v[1]) for k, v in splits.items()}
    return ImageData(name, out["train"], out["valid"], out.get("test"), num_classes)


def _digits() -> ImageData:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, dtype=torch.long)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))  # a fixed split, whatever the seed
    x, y = x[order], y[order]
    splits = {"train": (x[600:], y[600:]), "valid": (x[:300], y[:300]), "test": (x[300:600], y[300:600])}
    return _normalise("digits", splits, 10)


def _cifar10(root: Path) -> ImageData:
    def read(name):
        path = root / name
        if not path.exists():
            raise FileNotFoundError(f"CIFAR-10: {path} is missing; expected data_batch_1..5 and test_batch in {root}")
        batch = read_cifar_batch(path)
        return torch.from_numpy(batch["data"]).view(-1, 3, 32, 32).float() / 255.0, torch.from_numpy(batch["labels"])

    parts = [read(f"data_batch_{i}") for i in range(1, 6)]
    x, y = torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])
    if len(y) < 2:
        raise ValueError(f"CIFAR-10: {root}/data_batch_1..5 hold {len(y)} image(s); a train and a valid split need 2")
    n_valid = max(1, min(5000, len(y) // 10))  # the authors hold out the last 5000 of 50000
    splits = {"train": (x[:-n_valid], y[:-n_valid]), "valid": (x[-n_valid:], y[-n_valid:]), "test": read("test_batch")}
    return _normalise("cifar10", splits, 10)


def _folder(root: Path) -> ImageData:
    from PIL import Image

    if not (root / "train").is_dir() or not (root / "valid").is_dir():
        raise FileNotFoundError(f"image folder: expected {root}/train/CLASS/*.png and {root}/valid/CLASS/*.png")
    classes = sorted(p.name for p in (root / "train").iterdir() if p.is_dir())
    if not classes:
        raise FileNotFoundError(f"image folder: {root}/train has no class directories (expected train/CLASS/*.png)")
    if len(classes) < 2:
        raise ValueError(
            f"image folder: {root}/train has one class directory ({classes[0]!r}); a classifier needs at least 2 "
            "(train/CLASS/*.png for each class)"
        )
    for split in ("valid", "test"):
        extra = sorted(p.name for p in (root / split).iterdir() if p.is_dir()) if (root / split).is_dir() else []
        extra = [c for c in extra if c not in classes]
        if extra:
            raise ValueError(
                f"image folder: {root}/{split}/{extra[0]} is a class with no {root}/train/{extra[0]} directory; "
                "every class needs training images"
            )
    size, mode = None, None

    def read(split):
        xs, ys = [], []
        for label, cls in enumerate(classes):
            for path in sorted((root / split / cls).glob("*")) if (root / split / cls).is_dir() else []:
                if path.suffix.lower() not in _IMAGE_EXT:
                    continue
                nonlocal size, mode
                try:
                    img = Image.open(path)
                    img.load()
                except Exception as err:
                    raise ValueError(f"image folder: cannot read {path} as an image: {err}") from None
                if size is None:  # the first image sets size and colour mode of all
                    size, mode = img.size, ("L" if img.mode in ("L", "1", "I", "I;16") else "RGB")
                img = img.convert(mode).resize(size)
                arr = np.asarray(img, dtype=np.float32) / 255.0
                xs.append(arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1))
                ys.append(label)
        if not xs:
            raise FileNotFoundError(f"image folder: no .png/.jpg images under {root / split}/CLASS/")
        return torch.from_numpy(np.stack(xs)), torch.tensor(ys)

    splits = {"train": read("train"), "valid": read("valid")}
    splits["test"] = read("test") if (root / "test").is_dir() else None
    return _normalise(f"folder:{root}", splits, len(classes))


def augment_batch(x: torch.Tensor, generator: torch.Generator | None = None, pad: int = 4) -> torch.Tensor:
    """Random pad-and-crop plus horizontal flip per image, as the authors' CIFAR pipeline."""
    B, C, H, W = x.shape
    padded = torch.nn.functional.pad(x, (pad, pad, pad, pad))  # (B, C, H+2p, W+2p)
    off = torch.randint(0, 2 * pad + 1, (2, B), generator=generator).to(x.device)
    rows = (off[0][:, None] + torch.arange(H, device=x.device))[:, None, :, None]  # (B, 1, H, 1)
    cols = (off[1][:, None] + torch.arange(W, device=x.device))[:, None, None, :]  # (B, 1, 1, W)
    flip = (torch.rand(B, generator=generator) < 0.5).to(x.device)[:, None, None, None]
    cols = torch.where(flip, cols.flip(-1), cols)
    b = torch.arange(B, device=x.device)[:, None, None, None]
    c = torch.arange(C, device=x.device)[None, :, None, None]
    return padded[b, c, rows, cols]  # (B, C, H, W)


def image_batches(split, batch_size: int, generator: torch.Generator | None = None, limit: int | None = None):
    """Yield ``(x, y)`` minibatches, shuffled when ``generator`` is given; at most ``limit`` of them."""
    x, y = split
    n = len(y)
    order = torch.randperm(n, generator=generator).to(y.device) if generator is not None else None
    for i, start in enumerate(range(0, n, batch_size)):
        if limit is not None and i >= limit:
            return
        idx = order[start : start + batch_size] if order is not None else slice(start, start + batch_size)
        yield x[idx], y[idx]


# -- text -------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


def _words(text: str) -> list[str]:
    return [w for line in text.lower().splitlines() if line.strip() for w in (*_WORD.findall(line), "<eos>")]


def _to_ids(words, index) -> torch.Tensor:
    unk = index["<unk>"]
    return torch.tensor([index.get(w, unk) for w in words], dtype=torch.long)


def _pydoc(vocab_size: int) -> TextData:
    from pydoc_data.topics import topics

    words = _words("\n".join(topics[k] for k in sorted(topics)))
    counts = Counter(words)
    vocab = ["<unk>", "<eos>"] + [w for w, _ in counts.most_common() if w not in ("<unk>", "<eos>")]
    vocab = vocab[: max(vocab_size, 3)]
    ids = _to_ids(words, {w: i for i, w in enumerate(vocab)})
    a, b = int(0.8 * len(ids)), int(0.9 * len(ids))
    return TextData("pydoc", ids[:a], ids[a:b], ids[b:], vocab)


def _ptb(root: Path) -> TextData:
    texts = {}
    for split in ("train", "valid", "test"):
        path = root / f"{split}.txt"
        if not path.exists():
            if split == "test":
                continue
            raise FileNotFoundError(f"PTB text: {path} is missing; expected {root}/train.txt and valid.txt (test.txt)")
        try:
            texts[split] = [
                w for line in path.read_text(encoding="utf-8").splitlines() for w in (*line.split(), "<eos>")
            ]
        except UnicodeDecodeError as err:
            raise ValueError(f"PTB text: {path} is not UTF-8 text: {err}") from None
    if len(texts["train"]) < 2:
        raise ValueError(f"PTB text: {root / 'train.txt'} has no words")
    vocab = ["<unk>", "<eos>"] + sorted(set(texts["train"]) - {"<unk>", "<eos>"})
    index = {w: i for i, w in enumerate(vocab)}
    ids = {k: _to_ids(v, index) for k, v in texts.items()}
    return TextData(f"ptb:{root}", ids["train"], ids["valid"], ids.get("test"), vocab)


def check_fits(cfg, data: ImageData | TextData) -> None:
    """Raise a ValueError naming the split (and its file) if ``cfg``'s batches cannot be cut from ``data``.

    Called once the data is loaded, before the run writes anything.
    """
    if isinstance(data, TextData):
        eval_batch = cfg.eval_batch_size // 10 or 1  # evaluate() runs eval_batch parallel streams
        need = {"train": cfg.batch_size + 1, "valid": max(cfg.bptt + 1, eval_batch + 1), "test": eval_batch + 1}
        for split, n in need.items():
            ids = getattr(data, split)
            if ids is not None and len(ids) < n:
                raise ValueError(
                    f"{_split_source(data, split)}: {len(ids)} words, too few for batch_size={cfg.batch_size}, "
                    f"bptt={cfg.bptt} and eval_batch_size={cfg.eval_batch_size} (needs at least {n}); "
                    "give it more text or use smaller batches"
                )
        return
    for split in ("train", "valid", "test"):
        labels = None if getattr(data, split) is None else getattr(data, split)[1]
        if labels is None:
            continue
        if len(labels) == 0:
            raise ValueError(f"{_split_source(data, split)} has no images")
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= data.num_classes:
            raise ValueError(
                f"{_split_source(data, split)}: label {low if low < 0 else high} is outside 0..{data.num_classes - 1}"
            )


def _split_source(data, split: str) -> str:
    if data.name.startswith("ptb:"):
        return f"PTB text {Path(data.name[4:]) / (split + '.txt')}"
    return f"the {split} split of data set {data.name!r}"


def text_batches(ids: torch.Tensor, batch_size: int, bptt: int, limit: int | None = None):
    """Yield ``(x, y)`` of shape ``(B, T)``: B parallel streams, consecutive windows (state carries over)."""
    n = (len(ids) - 1) // batch_size
    if n < 1:
        raise ValueError(f"text split of {len(ids)} words is too short for batch size {batch_size}")
    x = ids[: n * batch_size].view(batch_size, n)  # (B, N)
    y = ids[1 : n * batch_size + 1].view(batch_size, n)
    for i, start in enumerate(range(0, n, bptt)):
        if limit is not None and i >= limit:
            return
        yield x[:, start : start + bptt], y[:, start : start + bptt]
