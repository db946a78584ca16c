"""%vlm explain in the kernel through a real Jupyter client: the image, the heat map over it and the answer in one
output, the map itself as `last` for the next cell, and the command's one-line errors as the cell's error.
"""
import base64
import os
import shutil
import struct
import tempfile
import unittest
import zlib

import kernel_client
from kernel_client import execute


def write_png(path, width, height):
    """A grey gradient PNG, written without any imaging library."""
    rows = b"".join(b"\x00" + bytes((x * 255 // width) for x in range(width)) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class ExplainMagic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="medvlm-explain-test-")
        cls.image = os.path.join(cls.tmp, "scan.png")
        write_png(cls.image, 120, 90)
        cls.km, cls.kc, _, _ = kernel_client.start()

    @classmethod
    def tearDownClass(cls):
        kernel_client.stop(cls.km, cls.kc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_explain_shows_image_overlay_and_answer_and_keeps_the_map(self):
        reply, outputs = execute(self.kc, '%%vlm explain %s "Is there a lesion?"' % self.image, timeout=180)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        shown = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1, [m["msg_type"] for m in outputs])
        html = shown[0]["text/html"]
        self.assertEqual(html.count("<img"), 2, "the image and the heat map over it")
        for src in html.split('src="')[1:]:
            self.assertTrue(src.startswith("data:image/png;base64,"))
            base64.b64decode(src[len("data:image/png;base64,"):src.index('"')], validate=True)
        self.assertIn("Is there a lesion?", html)
        self.assertIn("attention peak at x=", html)
        self.assertIn("attention peak at", shown[0]["text/plain"])
        self.assertLess(len(shown[0]["text/plain"]), 400)
        reply, outputs = execute(self.kc, "var p = last.peak(); p[0] >= 0 && p[0] <= 120 && p[1] >= 0 && p[1] <= 90")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual(kernel_client.text_of(outputs), ["true"])

    def test_png_is_written_and_errors_are_one_line(self):
        out = os.path.join(self.tmp, "where.png")
        reply, outputs = execute(self.kc, '%%vlm explain %s "Which organ?" --png %s' % (self.image, out), timeout=180)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        with open(out, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        reply, outputs = execute(self.kc, '%%vlm explain %s "Which organ?"' % os.path.join(self.tmp, "nope.png"))
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["evalue"], "medvlm vlm explain: %s: no such image file" % os.path.join(self.tmp, "nope.png"))
        self.assertEqual(len([m for m in outputs if m["msg_type"] == "error"]), 1)


if __name__ == "__main__":
    unittest.main()
