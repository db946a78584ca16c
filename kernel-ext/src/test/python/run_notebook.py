"""Executes notebooks with nbclient (the engine of `jupyter nbconvert --execute`) on the MedVLM kernel and
checks every code cell's outputs against the expectations its tags declare.

Tags (cell metadata "tags"; every code cell needs at least one, so a new cell states what it shows):
  result            an execute_result
  stream            text on stdout/stderr
  png               an output with image/png (a chart or an image)
  html              an output with text/html
  html-img          text/html that contains an <img thumbnail
  update-display    update_display_data messages for a display of this cell (recorded from iopub,
                    because nbclient folds them into the original output)
  raises-exception  the cell must end in an error (nbclient's own tag); no other cell may have one
  no-output         nothing at all
  shared-html       text/html where the project's shared/ folder is beside the checkout (env MEDVLM_SHARED=1),
                    else a stream saying the files are not there
  live-train-view   a training run's live view: update_display_data for a display of this cell and an image/png
                    chart (local %%train runs and launched runs alike)
  answer-table      an image-answer table (thumbnail, ..., a last column of ✓/✗); its rows and ✓ count go into the
                    summary, for the Java test's accuracy check

Usage: run_notebook.py NOTEBOOK... [--save DIR] [--summary FILE.json]
"""
import json
import re
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import kernel_client

EXPECTATIONS = {"result", "stream", "png", "html", "html-img", "update-display", "raises-exception", "no-output",
                "shared-html", "live-train-view", "answer-table"}
SHARED = os.environ.get("MEDVLM_SHARED") == "1"


class RecordingClient(NotebookClient):
    """An nbclient that also keeps every iopub message type (with its display id) per cell."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.messages = {}

    def process_message(self, msg, cell, cell_index):
        display_id = msg.get("content", {}).get("transient", {}).get("display_id")
        self.messages.setdefault(cell_index, []).append((msg["msg_type"], display_id))
        return super().process_message(msg, cell, cell_index)


def check_cell(index, cell, messages):
    """Returns the problems of one executed code cell (an empty list when it meets its tags)."""
    tags = set(cell.metadata.get("tags", []))
    wanted = tags & EXPECTATIONS
    problems = []
    where = "cell %d (%s...)" % (index, cell.source.strip().splitlines()[0][:50] if cell.source.strip() else "")
    if not wanted:
        return ["%s: no expectation tag; add one of %s" % (where, sorted(EXPECTATIONS))]
    outputs = cell.outputs
    errors = [o for o in outputs if o.output_type == "error"]
    if "raises-exception" in wanted:
        if not errors:
            problems.append("%s: expected an error output" % where)
    elif errors:
        problems.append("%s: error output %s: %s" % (where, errors[0].ename, errors[0].evalue))
    data = [o.get("data", {}) for o in outputs if o.output_type in ("display_data", "execute_result")]
    if "result" in wanted and not any(o.output_type == "execute_result" for o in outputs):
        problems.append("%s: no execute_result" % where)
    if "stream" in wanted and not any(o.output_type == "stream" for o in outputs):
        problems.append("%s: no stream output" % where)
    if "png" in wanted and not any("image/png" in d for d in data):
        problems.append("%s: no image/png output" % where)
    if "html" in wanted and not any("text/html" in d for d in data):
        problems.append("%s: no text/html output" % where)
    if "html-img" in wanted and not any("<img" in d.get("text/html", "") for d in data):
        problems.append("%s: no text/html output with an <img thumbnail" % where)
    if "update-display" in wanted or "live-train-view" in wanted:
        shown = {d for kind, d in messages if kind == "display_data" and d}
        updates = [d for kind, d in messages if kind == "update_display_data"]
        if not updates or not all(u in shown for u in updates):
            problems.append("%s: expected update_display_data for a display of this cell, got %s"
                            % (where, [k for k, _ in messages]))
    if "live-train-view" in wanted and not any("image/png" in d for d in data):
        problems.append("%s: expected the live loss chart (image/png)" % where)
    if "shared-html" in wanted:
        if SHARED and not any("text/html" in d for d in data):
            problems.append("%s: the shared files are there but no text/html output shows them" % where)
        if not SHARED and not any(o.output_type == "stream" and "not here" in o.text for o in outputs):
            problems.append("%s: without the shared files, expected a stream saying they are not here" % where)
    if "answer-table" in wanted and answer_table(cell) is None:
        problems.append("%s: no image-answer table (thumbnails and a ✓/✗ column)" % where)
    if "no-output" in wanted and outputs:
        problems.append("%s: expected no output, got %s" % (where, [o.output_type for o in outputs]))
    return problems


def answer_table(cell):
    """(rows, correct) of the cell's image-answer table: the rows whose last cell is ✓ or ✗; None without one."""
    for o in cell.outputs:
        html = o.get("data", {}).get("text/html", "")
        if "<img" not in html or "✓/✗" not in html:
            continue
        marks = re.findall(r"<td>\s*([✓✗])\s*</td>\s*</tr>", html)
        if marks:
            return len(marks), marks.count("✓")
    return None


def run(path, save_dir=None, summary=None):
    nb = nbformat.read(path, as_version=4)
    client = RecordingClient(nb, kernel_name=kernel_client.KERNEL_NAME, timeout=kernel_client.FIRST_CELL_TIMEOUT,
                             startup_timeout=120, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    started = time.monotonic()
    problems = []
    try:
        client.execute()
    except CellExecutionError:
        pass  # nbclient stopped at the failing cell; its error output is reported below with the cell
    except Exception as e:  # a kernel that died or timed out: say so, and go on with the next notebook
        problems.append("%s: %s: %s" % (os.path.basename(path), type(e).__name__, (str(e).strip().splitlines() or [""])[-1]))
    elapsed = time.monotonic() - started
    cells = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cells += 1
        problems += check_cell(index, cell, client.messages.get(index, []))
    updates = sum(kind == "update_display_data" for msgs in client.messages.values() for kind, _ in msgs)
    print("%s: %d code cells executed in %.1f s, %d update_display_data messages, %d problems"
          % (os.path.basename(path), cells, elapsed, updates, len(problems)))
    if summary is not None:
        tables = [answer_table(c) for c in nb.cells if c.cell_type == "code" and "answer-table" in c.metadata.get("tags", [])]
        summary[os.path.basename(path)] = {
            "code_cells": cells, "seconds": round(elapsed, 1), "update_display_data": updates, "problems": problems,
            "answer_tables": [{"rows": t[0], "correct": t[1]} for t in tables if t is not None]}
    if save_dir:
        os.makedirs(save_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(save_dir, os.path.basename(path)))
    return problems


def option(argv, name):
    """The value of --name VALUE in argv (None when absent) and argv without it."""
    if name not in argv:
        return None, argv
    i = argv.index(name)
    return argv[i + 1], argv[:i] + argv[i + 2:]


def main(argv):
    save_dir, argv = option(argv, "--save")
    summary_file, argv = option(argv, "--summary")
    summary = {}
    problems = []
    for path in argv:
        problems += run(path, save_dir, summary)
    if summary_file:
        with open(summary_file + ".tmp", "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, ensure_ascii=False)
        os.replace(summary_file + ".tmp", summary_file)
    for p in problems:
        print("PROBLEM: " + p)
    return 1 if problems or not argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
