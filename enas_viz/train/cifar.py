"""CIFAR-10 python batches, read without running what a pickle names.

The real batches (``cifar-10-batches-py/data_batch_1..5``, ``test_batch``) are Python 2
cPickle files: a dict of byte strings holding a list of int labels, a list of file names
and one uint8 array ``(N, 3072)``. Unpickling calls whatever a file names, so a file that
names ``os.system`` would run it. :func:`read_cifar_batch` resolves only the names the real
format uses (and those numpy 2 and Python 3 write for the same dict), checks their
arguments, and refuses any other name before anything runs.
"""

from __future__ import annotations

import importlib
import io
import pickle
from pathlib import Path

import numpy as np

__all__ = ["read_cifar_batch"]


class _Refused(Exception):
    """A CIFAR-10 pickle names a global, or builds a value, that the format never holds."""


def _numpy_function(module: str, name: str):
    """``numpy._core.MODULE.NAME`` (numpy 2) or ``numpy.core.MODULE.NAME`` (numpy 1)."""
    try:
        return getattr(importlib.import_module(f"numpy._core.{module}"), name)
    except ImportError:
        return getattr(importlib.import_module(f"numpy.core.{module}"), name)


def _numeric_dtype(spec, *args) -> np.dtype:
    """``numpy.dtype(spec, align, copy)`` for a plain bool / int / float dtype only."""
    text = spec.decode("latin1") if isinstance(spec, bytes) else spec
    if not isinstance(text, str) or len(text) > 8:
        raise _Refused(f"numpy.dtype({spec!r})")
    dtype = np.dtype(text, *args)
    if dtype.kind not in "biuf":
        raise _Refused(f"numpy.dtype({text!r}), not a numeric dtype")
    return dtype


_NDARRAY = object()  # stands for numpy.ndarray, which only _reconstruct may receive


def _reconstruct(cls, shape, typecode):
    """numpy's ``_reconstruct(ndarray, (0,), b"b")``: an empty array that the state then fills."""
    if cls is not _NDARRAY or tuple(shape) != (0,):
        raise _Refused(f"numpy _reconstruct of {shape!r}, not the empty array numpy pickles write")
    return _numpy_function("multiarray", "_reconstruct")(np.ndarray, (0,), _numeric_dtype(typecode))


def _scalar(dtype, data):
    """A numpy number (labels written as numpy integers)."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biuf" or not isinstance(data, bytes):
        raise _Refused(f"numpy scalar of {dtype!r}")
    return _numpy_function("multiarray", "scalar")(dtype, data)


def _frombuffer(buf, dtype, shape, order):
    """An array as pickle protocol 5 writes it (numpy 2)."""
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biuf":
        raise _Refused(f"numpy _frombuffer of {dtype!r}")
    return _numpy_function("numeric", "_frombuffer")(buf, dtype, shape, order)


def _latin1(text, encoding):
    """Python 3's protocol-2 pickles write bytes as ``_codecs.encode(text, "latin1")``."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused(f"_codecs.encode(..., {encoding!r})")
    return text.encode("latin1")


_CIFAR_GLOBALS = {
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _numeric_dtype,
    ("_codecs", "encode"): _latin1,
    **{(f"numpy.{core}.multiarray", "_reconstruct"): _reconstruct for core in ("core", "_core")},
    **{(f"numpy.{core}.multiarray", "scalar"): _scalar for core in ("core", "_core")},
    **{(f"numpy.{core}.numeric", "_frombuffer"): _frombuffer for core in ("core", "_core")},
}


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _CIFAR_GLOBALS[(module, name)]
        except KeyError:
            raise _Refused(f"{module}.{name}") from None

    def persistent_load(self, pid):
        raise _Refused(f"persistent id {pid!r}")


def read_cifar_batch(path: Path) -> dict:
    """One CIFAR-10 python batch: ``{"data": uint8 (N, 3072), "labels": int64 (N,) in 0..9}``.

    Read with :class:`_BatchUnpickler`: a file that names anything but the types of the real format
    (``os.system``, ``builtins.eval``, any class) is refused with a ValueError naming it, and nothing
    it names is called.
    """
    path = Path(path)
    expected = "a pickled dict with b'data' uint8 (N, 3072) and b'labels' (N ints in 0..9)"
    raw = path.read_bytes()  # the whole file: no size the pickle claims can make a read allocate more
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except _Refused as err:
        raise ValueError(
            f"CIFAR-10: {path} refers to {err}, which a CIFAR-10 python batch never holds; refused without "
            f"running it (only dicts, lists, strings, numbers and numeric numpy arrays are read). Use the "
            f"batches of the CIFAR-10 python version (cifar-10-python.tar.gz)"
        ) from None
    except Exception as err:
        raise ValueError(f"CIFAR-10: {path} is not a CIFAR-10 python batch ({expected}): {err}") from None
    if not isinstance(batch, dict):
        raise ValueError(f"CIFAR-10: {path} holds a {type(batch).__name__}, not a CIFAR-10 python batch ({expected})")
    missing = [key for key in ("data", "labels") if key.encode() not in batch and key not in batch]
    if missing:
        raise ValueError(f"CIFAR-10: {path} has no {' or '.join(missing)} entry; expected {expected}")
    try:
        data = np.asarray(batch.get(b"data", batch.get("data")), dtype=np.uint8)
        labels = np.asarray(batch.get(b"labels", batch.get("labels")))
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"CIFAR-10: {path} is not a CIFAR-10 python batch ({expected}): {err}") from None
    if data.ndim != 2 or data.shape[1] != 3072 or labels.shape != (len(data),):
        raise ValueError(
            f"CIFAR-10: {path}: b'data' has shape {data.shape}, expected (N, 3072) with N labels; "
            f"b'labels' has shape {labels.shape}"
        )
    if len(labels) and labels.dtype.kind not in "iu":
        raise ValueError(f"CIFAR-10: {path}: b'labels' are {labels.dtype}, expected integers 0..9")
    bad = np.flatnonzero((labels < 0) | (labels > 9)) if len(labels) else []
    if len(bad):
        raise ValueError(
            f"CIFAR-10: {path}: label {labels[bad[0]]} at position {bad[0]} is outside 0..9 "
            f"({len(bad)} label(s) out of range); CIFAR-10 has 10 classes"
        )
    return {"data": data, "labels": labels.astype(np.int64)}
