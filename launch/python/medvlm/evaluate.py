"""Evaluation during a run: the loss on the held-out split, and greedy answers scored as the peers do.

closed_accuracy: normalised exact match on closed questions; open_recall: LLaVA-Med's recall (the share of the truth's
words that appear in the answer) on open questions; exact_match: normalised exact match on all; per_type: exact match
per question_type. Normalisation: lower case, runs of spaces collapsed, trailing punctuation dropped.

Every rank evaluates its share of the examples (so a sharded model, FSDP or ZeRO-3, runs its collectives on all ranks)
and the results are gathered; every generation step is one call of the model's forward, the single entry point
FSDP and DeepSpeed need."""
import re

import torch

from . import distributed
from .data import collate


def normalize(text):
    t = re.sub(r"\s+", " ", text.lower()).strip()
    return t.rstrip(".!?,;:").strip()


def recall(answer, truth):
    words = normalize(truth).split()
    got = set(normalize(answer).split())
    return sum(w in got for w in words) / len(words) if words else 0.0


@torch.no_grad()
def greedy(engine, batch, max_new_tokens, stop_ids, pad_id, autocast):
    """Greedy answers for a batch of left-padded prompts; each step runs the whole sequence (no cache: answers are
    a few tokens). Returns one id list per row, without the stop token."""
    ids, mask = batch["input_ids"], batch["attention_mask"]
    B = ids.shape[0]
    done = torch.zeros(B, dtype=torch.bool, device=ids.device)
    out = [[] for _ in range(B)]
    for _ in range(max_new_tokens):
        with autocast():
            logits = engine.forward({"pixel_values": batch["pixel_values"], "input_ids": ids, "attention_mask": mask})
        nxt = logits.argmax(-1)  # (B,)
        for b in range(B):
            if not done[b]:
                if int(nxt[b]) in stop_ids:
                    done[b] = True
                else:
                    out[b].append(int(nxt[b]))
        if bool(done.all()):
            break
        nxt = torch.where(done, torch.full_like(nxt, pad_id), nxt)
        ids = torch.cat([ids, nxt[:, None]], dim=1)
        mask = torch.cat([mask, (~done).long()[:, None]], dim=1)
    return out


def evaluate(engine, dataset, place, batch_size, device, pad_id, stop_ids, decoder, max_new_tokens, autocast,
             limit=None):
    """Metrics over (at most ``limit`` of) the dataset; every rank returns the same dict, with the answers."""
    n = len(dataset) if not limit else min(limit, len(dataset))  # 0 or None: all of them
    mine = list(range(place.rank, n, place.world))
    # every rank runs the same number of batches (sharded models need all ranks in every forward)
    per_rank = -(-n // place.world)
    batches = -(-per_rank // batch_size)
    loss_sum, tokens, rows = 0.0, 0, []
    for k in range(batches):
        idx = mine[k * batch_size:(k + 1) * batch_size]
        real = len(idx)
        if real == 0:
            idx = [0]  # a dummy row so this rank still takes part; its results are dropped
        batch = collate([dataset.examples[i] for i in idx], [dataset.pixels(i) for i in idx], pad_id)
        batch = {k2: v.to(device) for k2, v in batch.items()}
        with torch.no_grad(), autocast():
            s, c = engine.forward(batch)
        if real:
            loss_sum += float(s)
            tokens += c
        prompts = collate([dataset.examples[i] for i in idx], [dataset.pixels(i) for i in idx], pad_id,
                          with_answer=False)
        prompts = {k2: v.to(device) for k2, v in prompts.items()}
        answers = greedy(engine, prompts, max_new_tokens, stop_ids, pad_id, autocast)
        for i, ids in zip(idx[:real], answers[:real]):
            rows.append((i, decoder.decode(ids).split("\n")[0].strip()))
    gathered = distributed.gather_objects((loss_sum, tokens, rows))
    loss_sum = sum(g[0] for g in gathered)
    tokens = sum(g[1] for g in gathered)
    answers = dict(r for g in gathered for r in g[2])
    return score(dataset, answers, loss_sum / max(tokens, 1)), answers


def score(dataset, answers, loss):
    closed, opened, exact, per_type = [], [], [], {}
    for i, answer in answers.items():
        e = dataset.examples[i]
        truths = e["answers"] or [""]
        hit = any(normalize(answer) == normalize(t) for t in truths)
        exact.append(hit)
        if e.get("answer_type") == "closed":
            closed.append(hit)
        else:
            opened.append(max(recall(answer, t) for t in truths))
        per_type.setdefault(e.get("question_type") or "", []).append(hit)
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    return {"loss": loss, "metrics": {
        "closed_accuracy": mean(closed), "open_recall": mean(opened), "exact_match": mean(exact), "n": len(answers),
        "per_type": {k: mean(v) for k, v in sorted(per_type.items())}}}
