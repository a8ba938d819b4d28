"""Data sets from disk in the formats users have: CIFAR-10 batches, image folders, PTB text; clear errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import enas_viz as ev
from enas_viz.train.data import ImageData, TextData, load_data

torch.set_num_threads(1)


def _cifar(root, n=12, seed=0):
    rng = np.random.default_rng(seed)
    root.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"labels": list(rng.integers(0, 10, n))}
        with open(root / name, "wb") as f:
            pickle.dump(batch, f)
    return root


def test_cifar10_batches(tmp_path):
    root = _cifar(tmp_path / "cifar")
    for name in (f"cifar10:{root}", str(root)):  # explicit kind, or detected from the files
        data = load_data(name)
        assert isinstance(data, ImageData) and data.shape == (3, 32, 32) and data.num_classes == 10
        assert len(data.train[1]) + len(data.valid[1]) == 60 and len(data.test[1]) == 12
        assert abs(float(data.train[0].mean())) < 1e-4  # normalised with the train statistics
    result = ev.search(space="macro", dataset=f"cifar10:{root}", epochs=1, out=tmp_path / "run", preset="tiny",
                       progress=False, num_layers=3, ctrl_train_steps=1, arcs_per_epoch=2, derive_samples=2)  # fmt: skip
    assert result.derived_arc.params["num_layers"] == 3


def test_cifar10_errors(tmp_path):
    root = _cifar(tmp_path / "cifar")
    (root / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="test_batch is missing"):
        load_data(f"cifar10:{root}")
    (root / "test_batch").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match=r"test_batch is not a CIFAR-10 python batch .*b'data' uint8 \(N, 3072\)"):
        load_data(f"cifar10:{root}")
    with open(root / "test_batch", "wb") as f:
        pickle.dump({b"data": np.zeros((4, 100), np.uint8), b"labels": [0] * 4}, f)
    with pytest.raises(ValueError, match=r"shape \(4, 100\), expected \(N, 3072\)"):
        load_data(str(root))


def test_image_folder(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, n in (("train", 4), ("valid", 2), ("test", 2)):
        for cls in ("cat", "dog", "eel"):
            (tmp_path / "imgs" / split / cls).mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)).save(
                    tmp_path / "imgs" / split / cls / f"{i}.png"
                )
    data = load_data(str(tmp_path / "imgs"))
    assert data.shape == (3, 10, 10) and data.num_classes == 3 and len(data.train[1]) == 12
    assert sorted(data.valid[1].tolist()) == [0, 0, 1, 1, 2, 2]
    result = ev.search(space="micro", dataset=f"folder:{tmp_path / 'imgs'}", epochs=1, out=tmp_path / "run",
                       preset="tiny", progress=False, batch_size=4, ctrl_train_steps=1, arcs_per_epoch=2,
                       derive_samples=2)  # fmt: skip
    assert result.derived_arc.space == "micro"
    (tmp_path / "bad" / "train").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="valid/CLASS"):
        load_data(f"folder:{tmp_path / 'bad'}")


def test_ptb_text(tmp_path):
    root = tmp_path / "ptb"
    root.mkdir()
    words = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ate", "the", "cat", "food"]
    rng = np.random.default_rng(0)
    for split, n in (("train", 300), ("valid", 60), ("test", 60)):
        lines = [" ".join(rng.choice(words, 8)) for _ in range(n // 8)]
        (root / f"{split}.txt").write_text("\n".join(lines) + "\n")
    data = load_data(str(root))
    assert isinstance(data, TextData) and data.vocab[:2] == ["<unk>", "<eos>"] and len(data.vocab) == 2 + 9
    assert data.vocab[int(data.train[8])] == "<eos>"  # one sentence of 8 words, then the end of line
    result = ev.search(space="rnn", dataset=f"ptb:{root}", epochs=1, out=tmp_path / "run", preset="tiny",
                       progress=False, batch_size=4, bptt=5, ctrl_train_steps=1, arcs_per_epoch=2, derive_samples=2)  # fmt: skip
    assert result.derived_arc.space == "rnn"
    (root / "train.txt").unlink()
    with pytest.raises(FileNotFoundError, match="train.txt"):
        load_data(f"ptb:{root}")


def test_unknown_paths_say_what_was_expected(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a directory.*data_batch|CIFAR-10"):
        load_data(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="cannot tell the data format.*data_batch_1.*train.txt"):
        load_data(str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="unknown kind 'mnist'"):
        load_data(f"mnist:{tmp_path / 'empty'}")


def test_digits_and_pydoc_are_embedded():
    digits = load_data("digits")
    assert digits.shape == (1, 8, 8) and len(digits.train[1]) + len(digits.valid[1]) + len(digits.test[1]) == 1797
    text = load_data("pydoc", vocab_size=300)
    assert len(text.vocab) == 300 and len(text.train) > 10 * len(text.valid) / 2 and int(text.train.max()) < 300
