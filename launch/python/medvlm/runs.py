"""The run directory (FORMATS.md, schema 1), as rank 0 writes it: status.json (rewritten atomically), metrics.jsonl and
samples.jsonl (appended and flushed line by line), small PNGs under samples/, and checkpoints/step-NNNNNN/ folders
written as step-NNNNNN.tmp/ (every file fsynced, manifest.json last) and renamed; the last K are kept. Readers take
only step folders whose manifest matches (sizes, sha256)."""
import datetime
import hashlib
import json
import os
import re
import shutil
import sys

SCHEMA = 1
STEP_DIR = re.compile(r"^step-(\d{6,})$")


def now():
    """UTC, ISO-8601 with Z (what Java's Instant.parse reads)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path, obj):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class RunDir:
    """What rank 0 writes while a run goes on."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "checkpoints"), exist_ok=True)
        self._metrics = open(os.path.join(path, "metrics.jsonl"), "a", encoding="utf-8")
        self._samples = open(os.path.join(path, "samples.jsonl"), "a", encoding="utf-8")
        self._shown = set(os.listdir(os.path.join(path, "samples"))) if os.path.isdir(os.path.join(path, "samples")) else set()

    def status(self, **fields):
        """Updates status.json: keeps what the launcher put there (kind, pid, job) and sets ``fields``."""
        path = os.path.join(self.path, "status.json")
        st = read_json(path) or {}
        st.setdefault("kind", "launched")
        st.setdefault("pid", os.getpid())
        st.setdefault("reason", None)
        st.setdefault("checkpoint", None)
        st["schema"] = SCHEMA
        st.update(fields)
        st["updated"] = now()
        write_json_atomic(path, st)
        return st

    def metric(self, event, **fields):
        line = {"schema": SCHEMA, "event": event}
        line.update(fields)
        self._metrics.write(json.dumps(line) + "\n")
        self._metrics.flush()

    def sample(self, step, example, image_path, answer, correct):
        """One shown example; its image goes once to samples/<id>.png (at most 128 pixels)."""
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(example["id"])) + ".png"
        rel = "samples/" + name
        if name not in self._shown:
            from PIL import Image
            os.makedirs(os.path.join(self.path, "samples"), exist_ok=True)
            with Image.open(image_path) as img:
                img = img.convert("RGB")
                img.thumbnail((128, 128))
                tmp = os.path.join(self.path, rel + ".tmp")
                img.save(tmp, format="PNG")
                os.replace(tmp, os.path.join(self.path, rel))
            self._shown.add(name)
        line = {"schema": SCHEMA, "step": step, "id": example["id"], "image": rel, "question": example["question"],
                "truth": example["answers"][0] if example["answers"] else "", "answer": answer, "correct": correct,
                "answer_type": example.get("answer_type"), "question_type": example.get("question_type")}
        self._samples.write(json.dumps(line) + "\n")
        self._samples.flush()

    def close(self):
        self._metrics.close()
        self._samples.close()


# ---------------------------------------------------------------------- checkpoints

def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder, step):
    """manifest.json over every other file of the folder (sizes and sha256); written last."""
    files = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        if name != "manifest.json" and os.path.isfile(p):
            with open(p, "rb") as f:
                os.fsync(f.fileno())
            files[name] = {"bytes": os.path.getsize(p), "sha256": _sha256(p)}
    write_json_atomic(os.path.join(folder, "manifest.json"), {"schema": SCHEMA, "step": step, "files": files})


def verify(folder):
    """None when the folder's manifest matches its files, else the reason."""
    man = read_json(os.path.join(folder, "manifest.json"))
    if not man or "files" not in man:
        return "no readable manifest.json"
    for name, want in man["files"].items():
        p = os.path.join(folder, name)
        if not os.path.isfile(p):
            return f"{name} is missing"
        if os.path.getsize(p) != want.get("bytes"):
            return f"{name} has {os.path.getsize(p)} bytes, the manifest says {want.get('bytes')}"
        if _sha256(p) != want.get("sha256"):
            return f"{name} does not match its sha256"
    return None


def checkpoint_dirs(run_dir, check=True):
    """Complete checkpoints, oldest first, as (step, folder); others are skipped with a message naming them.
    ``check=False`` lists the step folders without hashing them (for pruning)."""
    root = os.path.join(run_dir, "checkpoints")
    out = []
    if not os.path.isdir(root):
        return out
    for name in sorted(os.listdir(root)):
        m = STEP_DIR.match(name)
        if not m:
            continue
        folder = os.path.join(root, name)
        reason = verify(folder) if check else None
        if reason:
            print(f"medvlm: skipping checkpoint {folder}: {reason}", file=sys.stderr)
            continue
        out.append((int(m.group(1)), folder))
    return out


def begin_checkpoint(run_dir, step):
    """A fresh step-NNNNNN.tmp folder to fill."""
    tmp = os.path.join(run_dir, "checkpoints", f"step-{step:06d}.tmp")
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    return tmp


def commit_checkpoint(run_dir, step, tmp, keep):
    """Manifest last, rename to step-NNNNNN, fsync the parent, then keep only the last ``keep`` checkpoints."""
    write_manifest(tmp, step)
    final = os.path.join(run_dir, "checkpoints", f"step-{step:06d}")
    if os.path.isdir(final):
        shutil.rmtree(final)
    os.rename(tmp, final)
    fsync_dir(os.path.dirname(final))
    if keep > 0:
        for _, old in checkpoint_dirs(run_dir, check=False)[:-keep]:
            shutil.rmtree(old)
    return os.path.relpath(final, run_dir)
