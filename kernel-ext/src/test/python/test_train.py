"""%%train in the kernel through real Jupyter clients: a notebook whose %%train cell runs a short run (executed by
nbclient, the engine of `jupyter nbconvert --execute`), a run stopped with ■ (interrupt_request) and a run in the
background stopped with %train stop, each leaving a checkpoint the model loads from; %train attach shows a finished
run's folder in the same view. Runs are a few updates on a small phantoms set, so the file stays short.
"""
import glob
import json
import os
import shutil
import tempfile
import time
import unittest
from queue import Empty

import nbformat

import kernel_client
import run_notebook
from kernel_client import execute

DATA = "data: phantoms:40:3\nbatch-size: 4\neval-limit: 4\nsamples: 4\n"


def settings(run_dir, steps, eval_every, extra=""):
    return "%%%%train\nsteps: %d\n%seval-every: %d\nrun-dir: %s\n%s" % (steps, DATA, eval_every, run_dir, extra)


def read(path):
    with open(path) as f:
        return f.read()


def status(run_dir):
    with open(os.path.join(run_dir, "status.json")) as f:
        return json.load(f)


def newest_checkpoint_manifest(run_dir):
    """The newest checkpoint folder's manifest.json as JSON (fails when there is none)."""
    folders = sorted(glob.glob(os.path.join(run_dir, "checkpoints", "step-*")))
    folders = [f for f in folders if not f.endswith(".tmp")]
    assert folders, "no checkpoint in %s" % run_dir
    with open(os.path.join(folders[-1], "manifest.json")) as f:
        return json.load(f)


def texts(outputs, kind):
    return [m["content"]["data"].get("text/plain", "") for m in outputs if m["msg_type"] == kind]


class TrainMagic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="medvlm-train-test-")
        cls.km, cls.kc, _, _ = kernel_client.start()

    @classmethod
    def tearDownClass(cls):
        kernel_client.stop(cls.km, cls.kc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assert_model_answers(self, run_dir):
        """The run folder's newest checkpoint is complete and `%vlm ask --model RUN_DIR` answers from it."""
        manifest = newest_checkpoint_manifest(run_dir)
        self.assertIn("model.safetensors", manifest["files"])
        reply, outputs = execute(self.kc, "%%vlm ask --dataset phantoms:4:1 --n 2 --model %s" % run_dir, timeout=180)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        html = [m["content"]["data"].get("text/html", "") for m in outputs if m["msg_type"] == "display_data"]
        self.assertTrue(any("<img" in h for h in html), [m["msg_type"] for m in outputs])

    def test_a_notebook_train_cell_streams_chart_progress_and_answer_table(self):
        run_dir = os.path.join(self.tmp, "notebook-run")
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell(settings(run_dir, 4, 2))
        cell.metadata["tags"] = ["update-display", "html-img", "png", "stream"]
        nb.cells.append(cell)
        path = os.path.join(self.tmp, "train.ipynb")
        nbformat.write(nb, path)
        problems = run_notebook.run(path, save_dir=os.path.join(self.tmp, "executed"))
        self.assertEqual(problems, [])
        saved = nbformat.read(os.path.join(self.tmp, "executed", "train.ipynb"), as_version=4)
        outputs = saved.cells[0].outputs
        self.assertFalse([o for o in outputs if o.output_type == "error"])
        shown = [o for o in outputs if o.output_type == "display_data"]
        progress = [o for o in shown if "<progress" in o.data.get("text/html", "")]
        charts = [o for o in shown if "image/png" in o.data]
        tables = [o for o in shown if "<table" in o.data.get("text/html", "")]
        self.assertEqual(len(progress), 1, [o.data.get("text/plain", "")[:80] for o in shown])
        self.assertIn("4/4", progress[0].data["text/plain"])
        self.assertIn("finished at step 4", progress[0].data["text/plain"])
        self.assertEqual(len(charts), 2, "a loss chart and a scores chart")
        self.assertEqual(len(tables), 1)
        table = tables[0].data["text/html"]
        self.assertEqual(table.count("<img"), 8, "4 shown examples at each of the 2 evaluations")
        self.assertLess(table.index("<b>step 4</b>"), table.index("<b>step 2</b>"), "newest evaluation on top")
        self.assertTrue("✓" in table or "✗" in table)
        self.assertLess(len(tables[0].data["text/plain"]), 300, "the text form is a summary, not the thumbnails")
        self.assertEqual(status(run_dir)["state"], "finished")

    def test_b_interrupt_stops_the_run_cleanly_with_a_checkpoint(self):
        run_dir = os.path.join(self.tmp, "interrupted-run")
        msg_id = self.kc.execute(settings(run_dir, 60, 30))
        metrics = os.path.join(run_dir, "metrics.jsonl")
        deadline = time.monotonic() + 180
        while not (os.path.exists(metrics) and '"step"' in read(metrics)):
            self.assertLess(time.monotonic(), deadline, "the run made no update in 180 s")
            time.sleep(0.2)
        sent = time.monotonic()
        self.km.interrupt_kernel()
        reply = kernel_client.shell_reply(self.kc, msg_id, timeout=120)
        stopped_after = time.monotonic() - sent
        outputs = kernel_client.iopub_until_idle(self.kc, msg_id)
        print("interrupt: %%%%train returned %.1f s after ■ (the current update and a checkpoint first)" % stopped_after)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        s = status(run_dir)
        self.assertEqual(s["state"], "stopped", s)
        self.assertEqual(s["reason"], "interrupted")
        self.assertLess(s["step"], 60)
        self.assertTrue(any("stopped at step %d" % s["step"] in t for t in texts(outputs, "update_display_data")))
        self.assert_model_answers(run_dir)

    def test_c_background_run_updates_after_its_cell_and_stops_with_train_stop(self):
        run_dir = os.path.join(self.tmp, "background-run")
        reply, outputs = execute(self.kc, settings(run_dir, 60, 30, "background: true\n"), timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        cell_id = reply["parent_header"]["msg_id"]
        ids = {m["content"]["transient"]["display_id"] for m in outputs if m["msg_type"] == "display_data"}
        self.assertEqual(len(ids), 4, "progress, loss, scores, answers")
        # the cell has ended (its idle came); the view keeps updating, with the cell as parent
        late = []
        deadline = time.monotonic() + 180
        while not any("loss" in t for t in texts(late, "update_display_data")):
            self.assertLess(time.monotonic(), deadline, "no update_display_data after the cell ended: %s" % late)
            try:
                m = self.kc.get_iopub_msg(timeout=1)
            except Empty:
                continue
            if m["msg_type"] == "update_display_data":
                self.assertEqual(m["parent_header"]["msg_id"], cell_id)
                self.assertIn(m["content"]["transient"]["display_id"], ids)
                late.append(m)
        # every iopub message from here on is kept: the view's last update may come during the next cell or after it
        stop_id = self.kc.execute("%train stop")
        reply = kernel_client.shell_reply(self.kc, stop_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        final = []
        deadline = time.monotonic() + 120
        while not any("stopped at step" in t for t in texts(final, "update_display_data")):
            self.assertLess(time.monotonic(), deadline, "the view never said the run stopped: %s"
                            % texts(final, "update_display_data"))
            try:
                final.append(self.kc.get_iopub_msg(timeout=1))
            except Empty:
                pass
        s = status(run_dir)
        self.assertEqual(s["state"], "stopped", s)
        self.assertEqual(s["reason"], "stopped by the user")
        self.assert_model_answers(run_dir)

    def test_d_attach_follows_a_run_folder_in_the_same_view(self):
        run_dir = os.path.join(self.tmp, "notebook-run")
        if not os.path.exists(os.path.join(run_dir, "status.json")):
            self.skipTest("the notebook run did not run")
        reply, outputs = execute(self.kc, "%%train attach %s" % run_dir, timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        shown = {m["content"]["transient"]["display_id"]: m["content"]["data"] for m in outputs
                 if m["msg_type"] == "display_data"}
        for m in outputs:
            if m["msg_type"] == "update_display_data":
                shown[m["content"]["transient"]["display_id"]] = m["content"]["data"]
        final = list(shown.values())
        self.assertTrue(any("finished at step 4" in d.get("text/plain", "") for d in final), final)
        self.assertEqual(sum("image/png" in d for d in final), 2)
        self.assertTrue(any(d.get("text/html", "").count("<img") == 8 for d in final))


if __name__ == "__main__":
    unittest.main()
