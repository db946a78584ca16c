"""The safetensors reader and writer: every dtype round trips, sharded indexes read, bad headers are refused."""
import json
import os
import struct

import pytest
import torch

from medvlm import safetensors as st


def test_round_trip_every_dtype(tmp_path):
    tensors = {
        "f32": torch.randn(3, 4), "f16": torch.randn(5).half(), "bf16": torch.randn(2, 3).bfloat16(),
        "i64": torch.arange(7), "i32": torch.arange(3, dtype=torch.int32), "u8": torch.arange(4, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]), "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
    }
    path = tmp_path / "a.safetensors"
    st.save_file(tensors, str(path))
    back = st.load_file(str(path))
    assert list(back) == list(tensors)
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape and torch.equal(back[k], t), k
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        assert (8 + n) % 8 == 0, "data starts 8-byte aligned"
    assert st.load_file(str(path), torch.float32)["bf16"].dtype == torch.float32


def test_sharded_index(tmp_path):
    st.save_file({"a": torch.ones(2)}, str(tmp_path / "model-00001-of-00002.safetensors"))
    st.save_file({"b": torch.zeros(3)}, str(tmp_path / "model-00002-of-00002.safetensors"))
    with open(tmp_path / "model.safetensors.index.json", "w") as f:
        json.dump({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}, f)
    with st.StateDict(str(tmp_path)) as sd:
        assert sorted(sd.keys()) == ["a", "b"]
        assert sd.shape("b") == [3] and torch.equal(sd.get("a"), torch.ones(2))


def write_raw(path, header, data=b""):
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


@pytest.mark.parametrize("header,data,message", [
    ({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8, "outside"),
    ({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, b"\0" * 16, "needs 12"),
    ({"x": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4, "bad entry"),
    ({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "y": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12, "overlap"),
])
def test_bad_headers_are_refused_naming_the_file(tmp_path, header, data, message):
    path = str(tmp_path / "bad.safetensors")
    write_raw(path, header, data)
    with pytest.raises(st.SafetensorsError) as e:
        st.SafetensorsFile(path)
    assert path in str(e.value) and message in str(e.value)


def test_truncated_and_absurd_lengths(tmp_path):
    p = tmp_path / "t.safetensors"
    p.write_bytes(b"\x01\x02")
    with pytest.raises(st.SafetensorsError, match="too short"):
        st.SafetensorsFile(str(p))
    p.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(st.SafetensorsError, match="does not fit"):
        st.SafetensorsFile(str(p))
    assert not os.path.exists(str(p) + ".tmp")
