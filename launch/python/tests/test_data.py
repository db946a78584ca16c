"""Batches, sample order and preprocessing of prepared data."""
import torch
from PIL import Image

from conftest import prepared_data
from medvlm import data


def test_collate_layout_and_labels():
    ex = [{"prompt_ids": [10, 11, 12], "answer_ids": [20, 2]}, {"prompt_ids": [13], "answer_ids": [21, 22, 2]}]
    b = data.collate(ex, [torch.zeros(3, 4, 4)] * 2, pad_id=3)
    assert b["input_ids"].tolist() == [[10, 11, 12, 20, 2], [3, 13, 21, 22, 2]]
    assert b["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]]
    assert b["labels"].tolist() == [[-100, -100, -100, 20, 2], [-100, -100, 21, 22, 2]]
    p = data.collate(ex, [torch.zeros(3, 4, 4)] * 2, pad_id=3, with_answer=False)
    assert p["input_ids"].tolist() == [[10, 11, 12], [3, 3, 13]]


def test_a_step_sees_the_same_examples_whatever_the_world_size():
    order = data.Order(10, seed=4)
    for step in range(7):
        one = sorted(i for mb in order.micro_batches(step, 4, 1, 1, 0) for i in mb)
        two = sorted(i for r in range(2) for mb in order.micro_batches(step, 2, 1, 2, r) for i in mb)
        accum = sorted(i for mb in order.micro_batches(step, 2, 2, 1, 0) for i in mb)
        assert one == two == accum
    # epochs are permutations: every example once per epoch
    assert sorted(order.indices(0, 10)) == list(range(10)) and sorted(order.indices(10, 10)) == list(range(10))


def test_preprocess_resizes_the_short_side_and_crops_the_centre(tmp_path):
    img = Image.new("RGB", (60, 30))
    for x in range(60):
        for y in range(30):
            img.putpixel((x, y), (x * 4, y * 8, 100))
    img.save(tmp_path / "a.png")
    x = data.preprocess(str(tmp_path / "a.png"), 16)
    assert x.shape == (3, 16, 16) and x.dtype == torch.float32
    # the blue channel is constant: (100/255 - mean) / std everywhere
    expected = (torch.tensor(100, dtype=torch.float32) / 255 - data.CLIP_MEAN[2]) / data.CLIP_STD[2]
    assert torch.allclose(x[2], expected.expand(16, 16))
    # the red channel grows left to right, centred on the middle of the wide image
    assert x[0, 8, 0] < x[0, 8, 15]


def test_prepared_dataset_reads_splits(tmp_path):
    folder = prepared_data(str(tmp_path / "d"), n=5, test=2)
    train, ev = data.train_and_eval_splits(folder)
    assert train == {"train"} and ev == {"test"}
    ds = data.PreparedDataset(folder, train, 32)
    assert len(ds) == 5 and ds.pixels(0).shape == (3, 32, 32)
