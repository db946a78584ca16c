"""What a new user tripped over, through a real Jupyter client: the is_complete indent `jupyter console` types, errors
that name the cell's lines and variables, help that a saved or exported notebook keeps, Tab completion of magic options
and paths, "did you mean", short text forms of tables and datasets, `%zero --model NAME`, whole DICOM headers.
"""
import os
import shutil
import tempfile
import unittest

import nbformat

import kernel_client
import run_notebook
from kernel_client import execute

# the checkout's ../shared (src/test/python is four levels below the checkout)
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..", "shared")


def errors(outputs):
    return [m["content"] for m in outputs if m["msg_type"] == "error"]


def shown(outputs):
    return [m["content"]["data"] for m in outputs if m["msg_type"] in ("display_data", "execute_result")]


class KernelUx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="medvlm-ux-test-")
        cls.km, cls.kc, _, _ = kernel_client.start()

    @classmethod
    def tearDownClass(cls):
        kernel_client.stop(cls.km, cls.kc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def is_complete(self, code):
        self.kc.is_complete(code)
        return self.kc.get_shell_msg(timeout=kernel_client.TIMEOUT)["content"]

    def test_is_complete_indent_is_whitespace(self):
        for code, indent in [("void f() {", "    "), ("for (int i = 0; i < 3; i++)", "    "), ("int x = 1 +", "    "),
                             ("void f() {\n    int a = 1;", "    "), ("  if (true) {", "      ")]:
            reply = self.is_complete(code)
            self.assertEqual(reply["status"], "incomplete", code)
            self.assertEqual(reply["indent"], indent, code)
        self.assertEqual(self.is_complete("1 + 1")["status"], "complete")
        self.assertEqual(self.is_complete("int int int = ;")["status"], "invalid")

    def test_errors_name_the_cells_lines_and_variables(self):
        reply, outputs = execute(self.kc, "int a = 1;\nint b = 2;\nString s = null; s.length();")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["evalue"], 'Cannot invoke "String.length()" because "s" is null')
        traceback = errors(outputs)[0]["traceback"]
        self.assertEqual(traceback[1:], ["\tat line 3"])
        joined = "\n".join(traceback)
        self.assertNotIn("snippet #", joined)
        self.assertNotIn("$JShell$", joined)
        execute(self.kc, "int twice(String t) {\n  return 2 * t.length();\n}")
        reply, outputs = execute(self.kc, "\n\ntwice(null)")
        traceback = errors(outputs)[0]["traceback"]
        self.assertIn('because "t" is null', traceback[0])
        self.assertRegex(traceback[1], r"^\tat twice \(declared at cell \[\d+\], line 1\)$")
        self.assertEqual(traceback[2], "\tat line 3")

    def test_help_is_an_output_that_a_saved_and_exported_notebook_keeps(self):
        reply, outputs = execute(self.kc, "%help zero")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["payload"], [])
        data = shown(outputs)
        self.assertEqual(len(data), 1)
        self.assertTrue(data[0]["text/plain"].startswith("Usage: medvlm zero"))
        self.assertTrue(data[0]["text/html"].startswith("<pre>Usage: medvlm zero"))
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("%help zero")
        cell.metadata["tags"] = ["html"]
        nb.cells.append(cell)
        path = os.path.join(self.tmp, "help.ipynb")
        nbformat.write(nb, path)
        self.assertEqual(run_notebook.run(path, save_dir=os.path.join(self.tmp, "executed")), [])
        from nbconvert import HTMLExporter
        html, _ = HTMLExporter().from_filename(os.path.join(self.tmp, "executed", "help.ipynb"))
        self.assertIn("Usage: medvlm zero", html)
        # IPython's ? still opens the pager
        reply, outputs = execute(self.kc, "%zero?")
        self.assertEqual(reply["content"]["payload"][0]["source"], "page")
        self.assertEqual(shown(outputs), [])

    def test_tab_completes_magic_options_enum_values_and_paths(self):
        os.makedirs(os.path.join(self.tmp, "scans"), exist_ok=True)
        open(os.path.join(self.tmp, "scans", "ct.dcm"), "w").close()

        def complete(code):
            self.kc.complete(code, len(code))
            return self.kc.get_shell_msg(timeout=kernel_client.TIMEOUT)["content"]

        steps = complete("%train --st")
        self.assertEqual(steps["matches"], ["--steps"])
        self.assertEqual(steps["cursor_start"], len("%train "))
        self.assertEqual(complete("%vlm ask a.png \"q\" --window br")["matches"], ["brain"])
        scans = complete("%%dicom show %s/scans/c" % self.tmp)
        self.assertEqual(scans["matches"], ["%s/scans/ct.dcm" % self.tmp])
        self.assertIn("max(", complete("Math.ma")["matches"])

    def test_a_typo_gets_did_you_mean(self):
        reply, outputs = execute(self.kc, "%train --stepz 4")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("did you mean --steps?", errors(outputs)[0]["traceback"][0])

    def test_datasets_and_thumbnail_tables_have_short_text(self):
        reply, outputs = execute(self.kc, "%medvqa load phantoms 40:3 as ph", timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        data = shown(outputs)
        self.assertEqual(len(data), 1)
        self.assertIn("<table", data[0]["text/html"])
        self.assertTrue(all(len(line) < 250 for line in data[0]["text/plain"].splitlines()), data[0]["text/plain"])
        reply, outputs = execute(self.kc, "%medvqa show ph --n 8", timeout=120)
        data = shown(outputs)
        self.assertEqual(data[0]["text/html"].count("<img"), 8)
        text = data[0]["text/plain"]
        self.assertNotIn("base64", text)
        self.assertEqual(text.count("[image "), 8, text)
        self.assertLess(len(text), 3000, text)

    def test_zero_model_takes_a_preset_name(self):
        reply, outputs = execute(self.kc, "%zero --model bloomz-7b1 --gpus 8 --gpu A100-40GB")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertIn("7,069,016,064 parameters", "".join(d.get("text/html", "") for d in shown(outputs)))

    def test_a_dicom_header_shows_every_row(self):
        ct = os.path.join(SHARED, "external", "dicom", "CT_small.dcm")
        if not os.path.exists(ct):
            if os.environ.get("CI"):
                self.fail("%s is missing" % ct)
            self.skipTest("../shared/external/dicom is absent")
        reply, outputs = execute(self.kc, "%%dicom header %s" % ct)
        html = shown(outputs)[0]["text/html"]
        self.assertGreater(html.count("<tr>"), 51, "more than the old 50-row cut")
        self.assertIn("Rows", html)
        self.assertIn("RescaleIntercept", html)


if __name__ == "__main__":
    unittest.main()
