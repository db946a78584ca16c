"""The kernel survives what used to stop it, through a real Jupyter client, and the NEXT cell runs:
magic arguments and cell bodies over 64 KiB, Java string constants over 64 KiB, System.exit,
Runtime.halt and System.exit on a background thread, 2,000,000 printed lines, a 50 MB value.
A second kernel, started where the exit guard is not allowed, still reports System.exit before it ends.
"""
import os
import re
import time
import unittest

import kernel_client
from kernel_client import execute, text_of

NO_GUARD_KERNEL_NAME = os.environ.get("MEDVLM_NOGUARD_KERNEL_NAME")


def streams(outputs, name=None):
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and (name is None or m["content"]["name"] == name))


class KernelLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc, _, _ = kernel_client.start()

    @classmethod
    def tearDownClass(cls):
        kernel_client.stop(cls.km, cls.kc)

    def next_cell_runs(self, n):
        reply, outputs = execute(self.kc, "%d * 2" % n)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual(text_of(outputs), [str(n * 2)])

    def assert_error(self, code, ename=None, evalue=None, timeout=kernel_client.TIMEOUT):
        reply, outputs = execute(self.kc, code, timeout=timeout)
        content = reply["content"]
        self.assertEqual(content["status"], "error", (content, outputs))
        if ename is not None:
            self.assertEqual(content["ename"], ename)
        if evalue is not None:
            self.assertIn(evalue, content["evalue"])
        self.assertEqual(len([m for m in outputs if m["msg_type"] == "error"]), 1)
        return content, outputs

    def test_magic_arguments_and_cell_bodies_over_64_kib_reach_the_command(self):
        path = "/tmp/" + "a" * 70_000
        content, _ = self.assert_error("%zero --model " + path, ename="UsageError")
        self.assertIn("/tmp/aaaa", content["evalue"])
        self.assertLess(len(content["evalue"]), 2_000)
        self.next_cell_runs(1)
        # the whole body reaches the command: its last line is an option train does not know
        body = "steps: 10\n" + "# " + "b" * 70_000 + "\n" + "no-such-setting: 1\n"
        self.assert_error("%%train\n" + body, evalue="no-such-setting")
        self.next_cell_runs(2)
        # the same through a multi-byte body: 40,000 two-byte characters are 80,000 bytes
        self.assert_error("%%train\n" + "é" * 40_000, evalue="line 1 is not KEY: VALUE")
        self.next_cell_runs(3)

    def test_java_string_constants_over_64_kib_are_an_error_and_later_cells_still_run(self):
        for literal in ('"' + "x" * 70_000 + '"', '"' + "é" * 40_000 + '"', '"""\n' + ("y" * 99 + "\n") * 700 + '"""'):
            for code in ("String s = %s;\ns.length()" % literal, "%s.length()" % literal):
                content, _ = self.assert_error(code, ename="CompilationException")
                self.assertTrue(any("65,535 bytes" in line for line in content["traceback"]), content["traceback"])
                self.next_cell_runs(4)
                reply, outputs = execute(self.kc, "int q = 21; q * 2")
                self.assertEqual(text_of(outputs), ["42"])
        # long code without long constants works: a method of 70 KB source (JShell compiles top-level
        # statements one by one, so 6,000 of them would take minutes; one method is one snippet)
        code = "long total() {\n long t = 0;\n" + " t += 3;\n" * 8_000 + " return t;\n}\ntotal()"
        self.assertGreater(len(code), 64 * 1024)
        reply, outputs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual(text_of(outputs), ["24000"])
        # a forward reference is still allowed: JShell keeps the method until g() exists
        reply, _ = execute(self.kc, "int f() { return g() + 1; }")
        self.assertEqual(reply["content"]["status"], "ok")
        execute(self.kc, "int g() { return 41; }")
        reply, outputs = execute(self.kc, "f()")
        self.assertEqual(text_of(outputs), ["42"])

    def test_exiting_the_jvm_from_a_cell_is_an_error_and_the_kernel_survives(self):
        for code, status in (("System.exit(3)", 3), ("Runtime.getRuntime().exit(4)", 4), ("Runtime.getRuntime().halt(5)", 5),
                             ("void quit() { System.exit(6); }\nquit();", 6)):
            content, _ = self.assert_error(code, ename="org.medvlm.kernel.ExitRefusedException",
                                           evalue="exiting the JVM (status %d) would end the kernel" % status)
            # the cell's own frame, by its line in the cell
            self.assertTrue(any(re.search(r"^\tat (quit \(declared at )?line \d", line) for line in content["traceback"][1:]),
                            content["traceback"])
            self.next_cell_runs(status)
        # a variable defined before survives too
        execute(self.kc, "var kept = \"still here\";")
        self.assert_error("System.exit(0)")
        reply, outputs = execute(self.kc, "kept")
        self.assertEqual(text_of(outputs), ["still here"])

    def test_exit_on_a_background_thread_is_refused_and_reported(self):
        reply, outputs = execute(self.kc, "var t = new Thread(() -> System.exit(7)); t.start(); t.join(); \"after\"")
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual(text_of(outputs), ["after"])
        self.assertIn("exiting the JVM (status 7) would end the kernel", streams(outputs, "stderr"))
        self.next_cell_runs(7)
        # a thread that exits after its cell ended is reported in the cell that runs then, or at the start of
        # the next one when none does (on a loaded machine its cell may still be finishing)
        reply, outputs = execute(self.kc, "new Thread(() -> { try { Thread.sleep(1000); } catch (InterruptedException e) {} "
                                          "System.exit(8); }).start();")
        self.assertEqual(reply["content"]["status"], "ok")
        reported = streams(outputs, "stderr")
        time.sleep(2)
        for _ in range(20):
            if "status 8" in reported:
                break
            reply, outputs = execute(self.kc, "8 * 2")
            self.assertEqual(text_of(outputs), ["16"])
            reported += streams(outputs, "stderr")
            time.sleep(0.5)
        self.assertIn("exiting the JVM (status 8) would end the kernel", reported)
        self.next_cell_runs(9)

    def test_two_million_lines_take_seconds_and_are_truncated_with_a_note(self):
        started = time.monotonic()
        reply, outputs = execute(self.kc, 'for (int i = 0; i < 2_000_000; i++) System.out.println("line " + i);', timeout=120)
        elapsed = time.monotonic() - started
        self.assertEqual(reply["content"]["status"], "ok")
        text = streams(outputs, "stdout")
        messages = [m for m in outputs if m["msg_type"] == "stream"]
        print("output: 2,000,000 lines in %.1f s; %d stream messages, %d characters kept" % (elapsed, len(messages), len(text)))
        self.assertLess(elapsed, 60)
        lines = text.splitlines()
        self.assertEqual(lines[0], "line 0")
        self.assertEqual(lines[9_999], "line 9999")
        self.assertTrue(lines[-1].startswith("[output truncated by the kernel: 1,990,000 more lines"), lines[-1])
        self.assertEqual(len(lines), 10_001)
        self.assertLess(len(messages), 200)
        self.next_cell_runs(10)

    def test_output_is_streamed_while_the_cell_runs(self):
        msg_id = self.kc.execute('System.out.println("first"); Thread.sleep(1500); System.out.println("second");')
        sent = time.monotonic()
        arrived = {}
        while "second" not in arrived:
            msg = self.kc.get_iopub_msg(timeout=kernel_client.TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                arrived[msg["content"]["text"].strip()] = time.monotonic() - sent
        reply = kernel_client.shell_reply(self.kc, msg_id)
        kernel_client.iopub_until_idle(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(set(arrived), {"first", "second"})
        # "first" came while the cell slept, not with "second" at its end
        self.assertGreater(arrived["second"] - arrived["first"], 1.0, arrived)

    def test_a_50_mb_value_is_shown_truncated(self):
        reply, outputs = execute(self.kc, '"x".repeat(50_000_000)', timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        [text] = text_of(outputs)
        self.assertTrue(text.startswith("x" * 1000))
        self.assertIn("[value truncated by the kernel: 50,000,000 characters, the first 100,000 shown]", text)
        self.assertLess(len(text), 101_000)
        reply, outputs = execute(self.kc, 'display("y".repeat(30_000_000)); "shown"', timeout=120)
        self.assertEqual(text_of(outputs), ["shown"])
        [shown] = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertLess(len(shown["content"]["data"]["text/plain"]), 101_000)
        self.next_cell_runs(11)


@unittest.skipUnless(NO_GUARD_KERNEL_NAME, "no kernel without the exit guard installed")
class KernelWithoutExitGuard(unittest.TestCase):
    """Where no SecurityManager is allowed (Java 24+, here -Djava.security.manager=disallow), exit is reported first."""

    def test_system_exit_is_reported_before_the_kernel_ends(self):
        kernel_client.KERNEL_NAME, saved = NO_GUARD_KERNEL_NAME, kernel_client.KERNEL_NAME
        try:
            km, kc, _, _ = kernel_client.start()
        finally:
            kernel_client.KERNEL_NAME = saved
        try:
            km.restarter = None
            msg_id = kc.execute('System.out.println("before"); System.exit(3);')
            reply = kernel_client.shell_reply(kc, msg_id, timeout=30)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(reply["content"]["ename"], "KernelExit")
            self.assertIn("the cell ended the JVM (System.exit)", reply["content"]["evalue"])
            deadline = time.monotonic() + 20
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertFalse(km.is_alive(), "the JVM ended as the cell asked")
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
