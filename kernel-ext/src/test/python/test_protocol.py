"""Debian's jupyter_kernel_test (the Jupyter project's kernel conformance suite) against the MedVLM kernel.

Every test of jupyter_kernel_test 0.4.5 has a sample here, so none is skipped for lack of one:
kernel_info, execute stdout/stderr, completion, is_complete (complete, incomplete, invalid), error,
execute_result, display_data (text/plain and image/png), history (tail, range and search),
inspect, clear_output and the pager.
"""
import unittest

import jupyter_kernel_test

import kernel_client


class MedvlmKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = kernel_client.KERNEL_NAME
    language_name = "java"
    file_extension = ".jshell"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # compile once before the suite's 15 s timeouts start counting
        kernel_client.execute(cls.kc, "1 + 1", timeout=kernel_client.FIRST_CELL_TIMEOUT)

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'

    completion_samples = [
        {"text": "Math.ma", "matches": {"max("}},
        {"text": "%ze", "matches": {"zero"}},
    ]

    complete_code_samples = ["1 + 1", "int a = 1;", "void f() {}", "%zero --help", "%%train\nsteps = 10"]
    incomplete_code_samples = ["void f() {", "for (int i = 0; i < 3; i++)", "String s = \"abc\" +"]
    invalid_code_samples = ["int int int = ;"]

    code_generate_error = 'throw new IllegalStateException("expected")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "ab"},
        {"code": "var xs = List.of(1, 2, 3); xs.size()", "result": "3"},
    ]

    code_display_data = [
        {"code": 'display("hi");', "mime": "text/plain"},
        {"code": "display(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
        {"code": "var ch = new XYChartBuilder().width(200).height(120).build();\n"
                 "ch.addSeries(\"s\", new double[] {1, 2}, new double[] {3, 4});\ndisplay(ch);", "mime": "image/png"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6*"

    code_inspect_sample = "Math.max("

    code_clear_output = "clearOutput();"

    # %zero? pages the command's help text, as IPython's `?` does (%help zero shows it as an output instead)
    code_page_something = "%zero?"


if __name__ == "__main__":
    unittest.main()
