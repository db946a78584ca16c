"""The safetensors format, read and written with struct and torch.frombuffer (Debian has no `safetensors`).

A file is: 8 bytes little-endian header length N, N bytes of JSON ``{name: {"dtype", "shape", "data_offsets":
[begin, end]}, "__metadata__": {...}}``, then the raw little-endian data (offsets relative to its start).
A sharded checkpoint has ``model.safetensors.index.json`` whose ``weight_map`` names each tensor's file.

Reading maps the file (copy-on-write, so torch gets a writable buffer and the file is never changed) and copies one
tensor at a time, so loading a 5 GB shard needs about one tensor of extra memory. Every header is checked (length,
JSON, dtype, offsets inside the data, no overlaps, bytes = dtype size x shape) and a bad one is refused naming the
file. Writing is atomic: a temporary file, fsync, rename.
"""
import json
import mmap
import os
import struct

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100 << 20  # a header this large is not a checkpoint's


class SafetensorsError(ValueError):
    """A file that is not valid safetensors; the message names the file and the problem."""


def _element_size(dtype):
    return torch.empty((), dtype=dtype).element_size()


class SafetensorsFile:
    """One safetensors file, mapped; ``get(key)`` copies a tensor out. Use as a context manager or close()."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self._file = open(self.path, "rb")
        except FileNotFoundError:
            raise SafetensorsError(f"{self.path}: no such file") from None
        try:
            size = os.fstat(self._file.fileno()).st_size
            if size < 8:
                raise SafetensorsError(f"{self.path}: {size} bytes is too short for safetensors (no header length)")
            (n,) = struct.unpack("<Q", self._file.read(8))
            if n > MAX_HEADER or 8 + n > size:
                raise SafetensorsError(f"{self.path}: header length {n} does not fit the file of {size} bytes")
            try:
                header = json.loads(self._file.read(n).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise SafetensorsError(f"{self.path}: header is not JSON ({e})") from None
            if not isinstance(header, dict):
                raise SafetensorsError(f"{self.path}: header is not a JSON object")
            self.metadata = header.pop("__metadata__", None) or {}
            self._start = 8 + n
            data_len = size - self._start
            self.specs = {}
            spans = []
            for key, spec in header.items():
                try:
                    dtype = DTYPES[spec["dtype"]]
                    shape = [int(d) for d in spec["shape"]]
                    begin, end = (int(o) for o in spec["data_offsets"])
                except (KeyError, TypeError, ValueError):
                    raise SafetensorsError(f"{self.path}: tensor {key!r} has a bad entry {spec!r}") from None
                numel = 1
                for d in shape:
                    if d < 0:
                        raise SafetensorsError(f"{self.path}: tensor {key!r} has a negative dimension {shape}")
                    numel *= d
                if not 0 <= begin <= end <= data_len:
                    raise SafetensorsError(f"{self.path}: tensor {key!r} offsets [{begin}, {end}] lie outside the "
                                           f"{data_len} data bytes")
                if end - begin != numel * _element_size(dtype):
                    raise SafetensorsError(f"{self.path}: tensor {key!r} has {end - begin} bytes but {spec['dtype']} "
                                           f"x {shape} needs {numel * _element_size(dtype)}")
                self.specs[key] = (dtype, shape, begin, end)
                spans.append((begin, end, key))
            spans.sort()
            for (b0, e0, k0), (b1, e1, k1) in zip(spans, spans[1:]):
                if b1 < e0:
                    raise SafetensorsError(f"{self.path}: tensors {k0!r} and {k1!r} overlap")
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_COPY) if size > 0 else None
        except BaseException:
            self._file.close()
            raise

    def keys(self):
        return list(self.specs)

    def shape(self, key):
        return list(self.specs[key][1])

    def dtype(self, key):
        return self.specs[key][0]

    def get(self, key, dtype=None):
        """A copy of one tensor (converted to ``dtype`` when given)."""
        if key not in self.specs:
            raise KeyError(f"{self.path}: no tensor {key!r}")
        t_dtype, shape, begin, end = self.specs[key]
        if end == begin:
            t = torch.empty(shape, dtype=t_dtype)
        else:
            t = torch.frombuffer(self._map, dtype=t_dtype, count=(end - begin) // _element_size(t_dtype),
                                 offset=self._start + begin).reshape(shape).clone()
        return t if dtype is None or dtype == t_dtype else t.to(dtype)

    def close(self):
        if self._map is not None:
            self._map.close()
            self._map = None
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def load_file(path, dtype=None):
    """All tensors of one file, as {key: tensor} in file order."""
    with SafetensorsFile(path) as f:
        return {k: f.get(k, dtype) for k in f.keys()}


class StateDict:
    """A checkpoint that may be one file, a sharded index or a folder holding either; tensors are read on demand."""

    def __init__(self, path):
        path = str(path)
        if os.path.isdir(path):
            index = os.path.join(path, "model.safetensors.index.json")
            single = os.path.join(path, "model.safetensors")
            if os.path.isfile(index):
                path = index
            elif os.path.isfile(single):
                path = single
            else:
                raise SafetensorsError(f"{path}: no model.safetensors or model.safetensors.index.json")
        self.path = path
        self._files = {}
        self._where = {}
        if path.endswith(".index.json"):
            try:
                with open(path, encoding="utf-8") as f:
                    weight_map = json.load(f)["weight_map"]
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise SafetensorsError(f"{path}: not a safetensors index ({e})") from None
            base = os.path.dirname(path)
            for key, name in weight_map.items():
                shard = os.path.normpath(os.path.join(base, name))
                if os.path.dirname(shard) != os.path.normpath(base):
                    raise SafetensorsError(f"{path}: shard {name!r} lies outside the checkpoint folder")
                self._where[key] = shard
            for shard in sorted(set(self._where.values())):
                self._files[shard] = SafetensorsFile(shard)
            for key, shard in self._where.items():
                if key not in self._files[shard].specs:
                    self.close()
                    raise SafetensorsError(f"{path}: index names {key!r} in {shard}, which does not hold it")
        else:
            self._files[path] = SafetensorsFile(path)
            self._where = {k: path for k in self._files[path].keys()}

    def keys(self):
        return list(self._where)

    def __contains__(self, key):
        return key in self._where

    def shape(self, key):
        return self._files[self._where[key]].shape(key)

    def get(self, key, dtype=None):
        return self._files[self._where[key]].get(key, dtype)

    def close(self):
        for f in self._files.values():
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def has_weights(folder):
    return os.path.isfile(os.path.join(folder, "model.safetensors")) or \
        os.path.isfile(os.path.join(folder, "model.safetensors.index.json"))


def _fsync_dir(path):
    fd = os.open(path or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_file(tensors, path, metadata=None):
    """Writes {key: tensor} atomically (temporary file, fsync, rename); tensors are stored in their own dtype."""
    header = {}
    offset = 0
    blobs = []
    for key, t in tensors.items():
        t = t.detach().to("cpu").contiguous()
        if t.dtype not in NAMES:
            raise SafetensorsError(f"{path}: tensor {key!r} has dtype {t.dtype}, which safetensors cannot hold")
        n = t.numel() * t.element_size()
        header[key] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
        blobs.append(t)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the reference writer does
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for t in blobs:
                if t.numel():
                    # uint8 view of the raw bytes (bf16 has no numpy dtype, so go through torch only)
                    f.write(memoryview(t.view(-1).view(torch.uint8).numpy()) if t.dtype != torch.bool
                            else memoryview(t.view(-1).to(torch.uint8).numpy()))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(os.path.dirname(os.path.abspath(path)))
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
