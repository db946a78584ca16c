"""The kernel's own promises, through a real Jupyter client (jupyter_client), on one shared kernel:
interrupting a busy loop, a flat heap over 500 cells, magic errors, short stack traces, and the
update_display_data sequence of a live chart.
"""
import os
import tempfile
import threading
import time
import unittest

import kernel_client
from kernel_client import execute, text_of


class KernelBehaviour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc, _, _ = kernel_client.start()

    @classmethod
    def tearDownClass(cls):
        kernel_client.stop(cls.km, cls.kc)

    def test_busy_loop_is_interrupted_within_two_seconds_and_the_next_cell_runs(self):
        msg_id = self.kc.execute("long n = 0; while (true) { n++; }")
        # wait until the loop is really running (the kernel said busy for this cell)
        time.sleep(0.5)
        sent = time.monotonic()
        self.km.interrupt_kernel()
        reply = kernel_client.shell_reply(self.kc, msg_id, timeout=10)
        stopped_after = time.monotonic() - sent
        kernel_client.iopub_until_idle(self.kc, msg_id)
        print("interrupt: busy loop stopped %.0f ms after the interrupt request" % (stopped_after * 1000))
        self.assertLess(stopped_after, 2.0)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        reply, outputs = execute(self.kc, "n >= 0 ? \"next cell runs\" : \"?\"")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(text_of(outputs), ["next cell runs"])

    def test_sleeping_cell_is_interrupted_too(self):
        msg_id = self.kc.execute("Thread.sleep(60_000)")
        time.sleep(0.5)
        sent = time.monotonic()
        self.km.interrupt_kernel()
        reply = kernel_client.shell_reply(self.kc, msg_id, timeout=10)
        kernel_client.iopub_until_idle(self.kc, msg_id)
        self.assertLess(time.monotonic() - sent, 2.0)
        self.assertEqual(reply["content"]["status"], "error")
        reply, outputs = execute(self.kc, "2 + 2")
        self.assertEqual(text_of(outputs), ["4"])

    def used_heap(self):
        code = ("Runtime r = Runtime.getRuntime(); for (int i = 0; i < 3; i++) { System.gc(); Thread.sleep(50); }"
                " r.totalMemory() - r.freeMemory()")
        reply, outputs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        return int(text_of(outputs)[0])

    def test_five_hundred_trivial_cells_keep_the_heap_flat(self):
        for _ in range(20):  # let JIT and class loading settle before the first measurement
            execute(self.kc, "1 + 1")
        before = self.used_heap()
        started = time.monotonic()
        for i in range(500):
            reply, outputs = execute(self.kc, "%d + 1" % i)
            self.assertEqual(text_of(outputs), [str(i + 1)])
        elapsed = time.monotonic() - started
        after = self.used_heap()
        growth = after - before
        print("heap: %.1f MiB used before, %.1f MiB after 500 cells (%+.1f MiB, %.1f KiB per cell); %.1f ms per cell"
              % (before / 2**20, after / 2**20, growth / 2**20, growth / 500 / 1024, elapsed / 500 * 1000))
        # JShell itself keeps every snippet's compiled state (symbols, class bytes): measured in-process at
        # ~50 KiB per trivial snippet without imports, ~63 KiB with the kernel's default imports; IJava,
        # also JShell, pays the same. The bound catches anything the kernel would add per cell.
        self.assertLess(growth / 500, 96 * 1024)

    def test_displayed_values_are_not_kept_by_the_kernel(self):
        cell = "display(new BufferedImage(1600, 1600, BufferedImage.TYPE_INT_RGB));"
        execute(self.kc, cell)  # the first display loads the PNG encoder's classes and buffers
        before = self.used_heap()
        for i in range(30):
            # a 1600x1600 image is 9.8 MiB as pixels; kept by the kernel, 30 of them would add ~293 MiB, far above
            # the few MiB that 30 snippets and the allocator's noise cost
            reply, outputs = execute(self.kc, cell)
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertTrue(any("image/png" in m["content"].get("data", {}) for m in outputs))
        growth = self.used_heap() - before
        print("heap: %+.1f MiB after displaying 30 images of 9.8 MiB" % (growth / 2**20))
        self.assertLess(growth, 60 * 2**20)

    def test_magic_typo_gets_the_usage_line_and_the_kernel_survives(self):
        reply, outputs = execute(self.kc, "%zero --no-such-option")
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        traceback = "\n".join(errors[0]["content"]["traceback"])
        self.assertIn("--no-such-option", traceback)
        self.assertIn("Usage: medvlm zero", traceback)
        reply, outputs = execute(self.kc, "%nosuchmagic 1 2")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("unknown magic %nosuchmagic", reply["content"]["evalue"])
        reply, outputs = execute(self.kc, "3 * 3")
        self.assertEqual(text_of(outputs), ["9"])

    def test_help_magic_prints_the_command_line_help(self):
        reply, outputs = execute(self.kc, "%zero --help")
        self.assertEqual(reply["content"]["status"], "ok")
        text = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        self.assertTrue(text.startswith("Usage: medvlm zero"), text)

    def test_train_with_bad_settings_is_one_error_and_the_kernel_carries_on(self):
        # a run folder of its own, which a run that cannot start must not create
        run_dir = os.path.join(tempfile.mkdtemp(prefix="medvlm-bad-run-"), "run")
        for code in ["%%%%train\nmodel = no-such-model-folder\nsteps = 10\nrun-dir = %s" % run_dir, "%train status no-such-run"]:
            reply, outputs = execute(self.kc, code)
            self.assertEqual(reply["content"]["status"], "error", code)
            self.assertEqual(len([m for m in outputs if m["msg_type"] == "error"]), 1, code)
            self.assertTrue(reply["content"]["evalue"].startswith("medvlm train"), reply["content"]["evalue"])
        self.assertFalse(os.path.exists(run_dir), "a run that never started left its folder")
        reply, outputs = execute(self.kc, "5 * 5")
        self.assertEqual(text_of(outputs), ["25"])

    def test_exception_shows_the_users_frames_only(self):
        code = ("int depth(int n) { if (n == 0) throw new IllegalArgumentException(\"bottom\"); return depth(n - 1); }\n"
                "depth(3)")
        reply, outputs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "error")
        traceback = reply["content"]["traceback"]
        self.assertEqual(traceback[0], "java.lang.IllegalArgumentException: bottom")
        self.assertEqual(sum("depth" in line for line in traceback[1:]), 4, traceback)
        joined = "\n".join(traceback)
        for internal in ("org.medvlm.kernel", "jdk.jshell", "java.lang.reflect", "jdk.internal"):
            self.assertNotIn(internal, joined)
        reply, outputs = execute(self.kc, "depth(0 + 0 * 1) == 0")  # the method is still defined
        self.assertEqual(reply["content"]["status"], "error")
        reply, outputs = execute(self.kc, "\"still here\"")
        self.assertEqual(text_of(outputs), ["still here"])

    def test_live_chart_streams_update_display_data_throttled(self):
        code = ("var chart = LiveChart.line(\"running mean\");\n"
                "var rnd = new Random(7); double sum = 0;\n"
                "for (int i = 1; i <= 120; i++) {\n"
                "  sum += rnd.nextGaussian() + 1; chart.add(i, sum / i); Thread.sleep(10);\n"
                "}\n"
                "sum / 120")
        reply, outputs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok")
        displays = [m for m in outputs if m["msg_type"] == "display_data"]
        updates = [m for m in outputs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(displays), 1)
        display_id = displays[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(u["content"]["transient"]["display_id"] == display_id for u in updates))
        print("live chart: 120 points -> %d update_display_data messages" % len(updates))
        # throttled: far fewer redraws than points, but more than one, the last with the final chart
        self.assertGreaterEqual(len(updates), 3)
        self.assertLess(len(updates), 60)
        self.assertIn("image/png", updates[-1]["content"]["data"])
        self.assertEqual(len(text_of(outputs)), 1)


if __name__ == "__main__":
    unittest.main()
