"""Data sets from disk in the formats users have: CIFAR-10 batches, image folders, PTB text; clear errors."""

from __future__ import annotations

import os
import pickle
import struct

import numpy as np
import pytest
import torch

import enas_viz as ev
from enas_viz.train.data import ImageData, TextData, load_data

torch.set_num_threads(1)


# -- CIFAR-10 python batches, byte for byte as the real ones: Python 2 cPickle, protocol 2 -----------------


def _py2_str(b: bytes) -> bytes:
    """A Python 2 ``str`` as cPickle writes it (SHORT_BINSTRING, BINSTRING); Python 3 reads it as bytes."""
    return b"U" + bytes([len(b)]) + b if len(b) < 256 else b"T" + struct.pack("<i", len(b)) + b


def _py2_int(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if 0 <= n < 65536:
        return b"M" + struct.pack("<H", n)
    return b"J" + struct.pack("<i", n)


def py2_cifar_batch(data: np.ndarray, labels, label: bytes = b"training batch 1 of 5") -> bytes:
    """What ``cPickle.dump(batch, f, 2)`` wrote in 2009: a dict of Python 2 strs, int labels, one uint8 array."""
    array = (  # numpy.core.multiarray._reconstruct(ndarray, (0,), 'b'), then its state
        b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n" + _py2_int(0) + b"\x85" + _py2_str(b"b") + b"\x87R"
        + b"(" + _py2_int(1) + _py2_int(len(data)) + _py2_int(3072) + b"\x86"
        + b"cnumpy\ndtype\n" + _py2_str(b"u1") + _py2_int(0) + _py2_int(1) + b"\x87R"  # dtype('u1', 0, 1)
        + b"(" + _py2_int(3) + _py2_str(b"|") + b"NNN" + b"J\xff\xff\xff\xff" * 2 + _py2_int(0) + b"tb"
        + b"\x89" + _py2_str(np.ascontiguousarray(data, dtype=np.uint8).tobytes()) + b"tb"
    )  # fmt: skip
    names = b"](" + b"".join(_py2_str(b"img_%05d.png" % i) for i in range(len(data))) + b"e"
    return (
        b"\x80\x02}("
        + _py2_str(b"batch_label") + _py2_str(label)
        + _py2_str(b"labels") + b"](" + b"".join(_py2_int(int(y)) for y in labels) + b"e"
        + _py2_str(b"data") + array
        + _py2_str(b"filenames") + names
        + b"u."
    )  # fmt: skip


def _cifar(root, n=12, seed=0):
    rng = np.random.default_rng(seed)
    root.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (root / name).write_bytes(
            py2_cifar_batch(rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 10, n))
        )
    return root


def test_py2_batches_are_what_the_real_ones_hold(tmp_path):
    """The fixture is a real CIFAR-10 batch to Python 3's own unpickler (the README's recipe)."""
    data = np.arange(2 * 3072, dtype=np.int64).reshape(2, 3072) % 256
    batch = pickle.loads(py2_cifar_batch(data, [3, 9]), encoding="bytes")
    assert sorted(batch) == [b"batch_label", b"data", b"filenames", b"labels"]
    assert batch[b"data"].dtype == np.uint8 and (batch[b"data"] == data).all() and batch[b"labels"] == [3, 9]


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
    (root / "test_batch").write_bytes(py2_cifar_batch(np.zeros((3, 3072), np.uint8), [1, 10, 2]))
    with pytest.raises(ValueError, match=r"test_batch: label 10 at position 1 is outside 0\.\.9"):
        load_data(str(root))


def test_cifar10_batches_written_by_python3_and_numpy_labels(tmp_path):
    """Batches re-pickled with Python 3 (any protocol), labels as numpy ints: the same dict, read as well."""
    rng = np.random.default_rng(0)
    root = tmp_path / "cifar"
    root.mkdir()
    for i, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        batch = {b"data": rng.integers(0, 256, (6, 3072), dtype=np.uint8), b"labels": list(rng.integers(0, 10, 6))}
        (root / name).write_bytes(pickle.dumps(batch, protocol=[2, 3, 4, 5, 2, 5][i]))
    data = load_data(f"cifar10:{root}")
    assert len(data.train[1]) + len(data.valid[1]) == 30 and len(data.test[1]) == 6


class _Payload:
    """Unpickling this calls ``func(*args)``: what a hostile "data set" does."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _hostile(marker):
    """(pickle bytes, the global the message must name) for files that create ``marker`` when unpickled."""
    import builtins

    ok = np.zeros((2, 3072), np.uint8)
    return {
        "os.system": (
            pickle.dumps(_Payload(os.system, f"touch {marker}"), protocol=2),
            f"{os.system.__module__}.system",
        ),
        "builtins.eval": (
            pickle.dumps(_Payload(builtins.eval, f"open({str(marker)!r}, 'w').close()"), protocol=2),
            "__builtin__.eval",
        ),
        "inside a batch": (  # a real-looking dict whose labels are the payload: refused before it runs
            pickle.dumps({b"data": ok, b"labels": _Payload(builtins.open, str(marker), "w")}, protocol=4),
            f"{builtins.open.__module__}.open",
        ),
        "object array": (  # an object array whose item is the payload
            pickle.dumps({b"data": np.array([_Payload(os.system, f"touch {marker}")], dtype=object)}, protocol=2),
            "numpy.dtype('O8'), not a numeric dtype",
        ),
    }


@pytest.mark.parametrize("case", ["os.system", "builtins.eval", "inside a batch", "object array"])
def test_hostile_cifar_pickle_is_refused_before_it_runs(tmp_path, case):
    root = _cifar(tmp_path / "cifar")
    marker = tmp_path / "pwned"
    blob, named = _hostile(marker)[case]
    (root / "data_batch_3").write_bytes(blob)
    with pytest.raises(ValueError) as err:
        load_data(f"cifar10:{root}")
    message = str(err.value)
    assert f"{root / 'data_batch_3'} refers to {named}" in message and "refused without running it" in message
    assert "\n" not in message
    assert not marker.exists()  # nothing it names was called


def test_hostile_pickle_really_runs_when_unpickled(tmp_path):
    """The control: the same bytes given to pickle.loads do create the file (the payload is live)."""
    marker = tmp_path / "pwned"
    pickle.loads(_hostile(marker)["os.system"][0])
    assert marker.exists()


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


def test_one_class_image_folder_is_refused(tmp_path):
    from PIL import Image

    for split in ("train", "valid"):
        (tmp_path / "imgs" / split / "cat").mkdir(parents=True)
        Image.new("RGB", (6, 6)).save(tmp_path / "imgs" / split / "cat" / "0.png")
    with pytest.raises(
        ValueError, match=r"imgs/train has one class directory \('cat'\); a classifier needs at least 2"
    ):
        load_data(str(tmp_path / "imgs"))
    (tmp_path / "imgs" / "train" / "dog").mkdir()
    Image.new("RGB", (6, 6)).save(tmp_path / "imgs" / "train" / "dog" / "0.png")
    (tmp_path / "imgs" / "valid" / "eel").mkdir()
    with pytest.raises(ValueError, match=r"imgs/valid/eel is a class with no .*imgs/train/eel directory"):
        load_data(str(tmp_path / "imgs"))


def test_ptb_valid_split_too_small_for_the_batches(tmp_path):
    root = tmp_path / "ptb"
    root.mkdir()
    (root / "train.txt").write_text("the cat sat on the mat\n" * 40)
    (root / "valid.txt").write_text("the cat\n")
    with pytest.raises(
        ValueError, match=r"PTB text .*ptb/valid\.txt: 3 words, too few for .*bptt=5.*needs at least 11"
    ):
        ev.search(space="rnn", dataset=f"ptb:{root}", epochs=1, out=tmp_path / "run", preset="tiny", progress=False,
                  batch_size=4, bptt=5)  # fmt: skip
    assert not (tmp_path / "run").exists()  # refused before the run folder was made


def test_cli_data_errors_are_one_line(tmp_path, capsys):
    """A bad data file stops the command with one line naming the file, before a run folder exists."""
    from PIL import Image

    from enas_viz.cli import main

    root = _cifar(tmp_path / "cifar")
    (root / "data_batch_2").write_bytes(py2_cifar_batch(np.zeros((2, 3072), np.uint8), [4, 12]))
    (tmp_path / "imgs" / "train" / "cat").mkdir(parents=True)
    (tmp_path / "imgs" / "valid").mkdir()
    Image.new("L", (4, 4)).save(tmp_path / "imgs" / "train" / "cat" / "0.png")
    hostile = _cifar(tmp_path / "hostile")
    (hostile / "test_batch").write_bytes(_hostile(tmp_path / "pwned")["os.system"][0])
    cases = {
        f"cifar10:{root}": "data_batch_2: label 12 at position 1 is outside 0..9",
        str(tmp_path / "imgs"): "has one class directory ('cat')",
        str(hostile): f"test_batch refers to {os.system.__module__}.system",
    }
    for dataset, message in cases.items():
        code = main(
            ["search", "--dataset", dataset, "--out", str(tmp_path / "run"), "--preset", "tiny", "--no-progress"]
        )
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and message in err, err
        assert not (tmp_path / "run").exists()
    assert not (tmp_path / "pwned").exists()
