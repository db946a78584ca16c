import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_ROOT = os.path.dirname(HERE)  # launch/python
REPO = os.path.dirname(os.path.dirname(PYTHON_ROOT))
sys.path.insert(0, PYTHON_ROOT)


def shared_dir(*parts):
    """A folder of the project's ../shared; skipped with a message where absent, a failure when CI is set."""
    path = os.path.join(os.path.dirname(REPO), "shared", *parts)
    if not os.path.isdir(path):
        message = f"{path} is absent (the project's shared reference files)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set")
        pytest.skip(message)
    return path
