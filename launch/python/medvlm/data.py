"""Prepared data (FORMATS.md): the manifest the Java loaders wrote, images decoded with Pillow and preprocessed exactly
as the Java pipeline does (datasets/.../imaging/ImagePreprocessor.java), batches in the model's layout, and the order
in which a run visits the samples.

Preprocessing (open_clip's eval transform, BiomedCLIP's): RGB, Pillow bicubic resize of the short side to ``size``
(the long side to int(size * long / short)), centre crop at int(round((len - size) / 2)), bytes / 255 and
(x - mean) / std in float32. Java reproduces Pillow's bicubic to the bit, so both give the same tensors.

Sample order: epoch e visits the training examples in torch.randperm(n) order from a generator seeded with
seed * 1000003 + e; the run reads that stream G = batch x accumulation x world examples per optimizer step, so step s
sees the same G examples whatever the number of processes (rank r takes micro-batch k at offset (k * world + r) * b).
"""
import json
import os

import torch
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
EVAL_SPLITS = ("test", "validate", "validation", "val")


class DataError(ValueError):
    """A prepared folder that cannot be used; the message names the file."""


def preprocess(path, size, mean=CLIP_MEAN, std=CLIP_STD):
    """An image file -> (3, size, size) float32, as ImagePreprocessor.clip(size) computes it."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        w, h = img.size
        if w <= h:
            out_w, out_h = size, int(size * h / w)
        else:
            out_w, out_h = int(size * w / h), size
        img = img.resize((out_w, out_h), Image.BICUBIC)
        left = int(round((out_w - size) / 2.0))
        top = int(round((out_h - size) / 2.0))
        img = img.crop((left, top, left + size, top + size))
        data = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8)
    x = data.view(size, size, 3).permute(2, 0, 1).to(torch.float32) / 255.0  # ToTensor: float32 division
    m = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
    return ((x - m) / s).contiguous()


class PreparedDataset:
    """The examples of one split of a prepared folder (manifest.jsonl, prepare.json)."""

    def __init__(self, folder, splits, image_size, cache_bytes=1 << 30):
        self.folder = folder
        info_path = os.path.join(folder, "prepare.json")
        try:
            with open(info_path, encoding="utf-8") as f:
                self.info = json.load(f)
        except FileNotFoundError:
            raise DataError(f"{folder}: not a prepared dataset (no prepare.json; run 'medvlm datasets prepare')") from None
        except ValueError as e:
            raise DataError(f"{info_path}: malformed JSON ({e})") from None
        if self.info.get("schema") != 1:
            raise DataError(f"{info_path}: unsupported schema {self.info.get('schema')} (this trainer reads 1)")
        self.examples = []
        manifest = os.path.join(folder, "manifest.jsonl")
        with open(manifest, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    e = json.loads(line)
                    ok = isinstance(e["prompt_ids"], list) and isinstance(e["answer_ids"], list) and e["image"]
                except (ValueError, KeyError, TypeError):
                    ok = False
                if not ok:
                    raise DataError(f"{manifest}:{n}: not a prepared example (id, image, prompt_ids, answer_ids)")
                if e.get("split") in splits:
                    self.examples.append(e)
        self.image_size = image_size
        self._cache = {}
        # preprocessed pixels are kept when all of them fit the budget (the phantoms at 64 px: a few MB)
        self._cache_ok = len(self.examples) * 3 * image_size * image_size * 4 <= cache_bytes

    def __len__(self):
        return len(self.examples)

    def image_path(self, e):
        p = e["image"]
        return p if os.path.isabs(p) else os.path.join(self.folder, p)

    def pixels(self, i):
        if i in self._cache:
            return self._cache[i]
        x = preprocess(self.image_path(self.examples[i]), self.image_size)
        if self._cache_ok:
            self._cache[i] = x
        return x


def splits_of(folder):
    with open(os.path.join(folder, "prepare.json"), encoding="utf-8") as f:
        return json.load(f).get("splits", {})


def train_and_eval_splits(folder):
    """Training on "train" (every split when there is none); evaluation on the first of test/validate/val present."""
    splits = splits_of(folder)
    train = {"train"} if "train" in splits else set(splits)
    ev = next(({s} for s in EVAL_SPLITS if s in splits), set())
    return train, ev


def collate(examples, pixels, pad_id, ignore=-100, with_answer=True):
    """One batch in the model's text layout [left padding | prompt | answer + EOS] (the Q-Former's visual tokens go in
    front inside the model). labels hold the answer and EOS ids and -100 elsewhere; without answers (generation) the
    rows are [left padding | prompt]."""
    rows = [e["prompt_ids"] + (e["answer_ids"] if with_answer else []) for e in examples]
    T = max(len(r) for r in rows)
    B = len(rows)
    ids = torch.full((B, T), pad_id, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    labels = torch.full((B, T), ignore, dtype=torch.long)
    for b, (e, r) in enumerate(zip(examples, rows)):
        start = T - len(r)
        ids[b, start:] = torch.tensor(r, dtype=torch.long)
        mask[b, start:] = 1
        if with_answer:
            a = len(e["answer_ids"])
            labels[b, T - a:] = torch.tensor(e["answer_ids"], dtype=torch.long)
    return {"pixel_values": torch.stack(pixels), "input_ids": ids, "attention_mask": mask, "labels": labels}


class Order:
    """The sample stream of a run: epoch permutations, read G examples per optimizer step."""

    def __init__(self, n, seed):
        if n == 0:
            raise DataError("no training examples")
        self.n = n
        self.seed = seed
        self._epoch = None
        self._perm = None

    def permutation(self, epoch):
        if epoch != self._epoch:
            g = torch.Generator().manual_seed(self.seed * 1000003 + epoch)
            self._perm = torch.randperm(self.n, generator=g).tolist()
            self._epoch = epoch
        return self._perm

    def indices(self, start, count):
        out = []
        pos = start
        while len(out) < count:
            epoch, offset = divmod(pos, self.n)
            take = min(count - len(out), self.n - offset)
            out += self.permutation(epoch)[offset:offset + take]
            pos += take
        return out

    def micro_batches(self, step, batch, accum, world, rank):
        """Example indices of this rank's micro-batches for optimizer step ``step``."""
        g = batch * accum * world
        global_batch = self.indices(step * g, g)
        return [global_batch[(k * world + rank) * batch:(k * world + rank + 1) * batch] for k in range(accum)]

    def position(self, step, global_batch):
        """(epoch as a fraction, epoch index, position in it) after ``step`` optimizer steps."""
        seen = step * global_batch
        return seen / self.n, seen // self.n, seen % self.n
