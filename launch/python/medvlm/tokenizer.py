"""Decoding token ids with a HF ``tokenizer.json`` (Debian's Python has no ``tokenizers``; Java makes the ids, and the
trainer only needs to turn generated ids back into text for evaluation and samples). Handles the decoders the
toolkit's models use: ByteLevel (BLOOM's BPE), WordPiece (the built-in tokenizer) and Metaspace; special tokens are
skipped, as HF's decode(skip_special_tokens=True)."""
import json


def _bytes_to_unicode():
    """GPT-2's byte-to-character table, which byte-level BPE vocabularies are written in."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class Decoder:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            tok = json.load(f)
        vocab = tok.get("model", {}).get("vocab", {})
        if isinstance(vocab, list):  # Unigram: [[piece, score], ...]
            vocab = {piece: i for i, (piece, _score) in enumerate(vocab)}
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.special = set()
        for a in tok.get("added_tokens", []):
            self.id_to_token[a["id"]] = a["content"]
            if a.get("special"):
                self.special.add(a["id"])
        dec = tok.get("decoder") or {}
        types = [d.get("type") for d in dec.get("decoders", [])] if dec.get("type") == "Sequence" else [dec.get("type")]
        self.kind = "bytelevel" if "ByteLevel" in types else "wordpiece" if "WordPiece" in types \
            else "metaspace" if "Metaspace" in types else "plain"
        self.prefix = dec.get("prefix", "##")
        self._byte_of = {c: b for b, c in _bytes_to_unicode().items()}

    def token_id(self, text):
        """The id of a token written exactly as ``text`` in the vocabulary (byte-level: in its encoded form)."""
        if self.kind == "bytelevel":
            table = _bytes_to_unicode()
            text = "".join(table[b] for b in text.encode("utf-8"))
        for i, t in self.id_to_token.items():
            if t == text:
                return i
        return None

    def decode(self, ids):
        tokens = [self.id_to_token.get(int(i), "") for i in ids if int(i) not in self.special]
        if self.kind == "bytelevel":
            data = bytes(self._byte_of.get(c, 0x3f) for c in "".join(tokens))
            return data.decode("utf-8", errors="replace")
        if self.kind == "wordpiece":
            out = " ".join(tokens).replace(" " + self.prefix, "")
            # HF's cleanup: no space before punctuation and in contractions
            for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                         (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
                out = out.replace(a, b)
            return out
        if self.kind == "metaspace":
            return "".join(tokens).replace("\u2581", " ").lstrip()
        return "".join(tokens)
