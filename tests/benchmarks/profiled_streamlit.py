"""`streamlit run` with every script run profiled (cProfile), the totals written to $VARTTI_PROFILE_OUT at exit.

Used by wall_refresh.py --profile: `python tests/benchmarks/profiled_streamlit.py run app.py …`.
"""
from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import sys
import threading

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web.cli import main

_LOCK = threading.Lock()
_PROFILES: list[cProfile.Profile] = []
_original = script_runner.ScriptRunner._run_script


def _profiled(self, rerun_data):
    profile = cProfile.Profile()
    profile.enable()
    try:
        return _original(self, rerun_data)
    finally:
        profile.disable()
        with _LOCK:
            _PROFILES.append(profile)


def _dump() -> None:
    with _LOCK:
        if _PROFILES:
            stats = pstats.Stats(*_PROFILES)
            stats.dump_stats(os.environ["VARTTI_PROFILE_OUT"])


script_runner.ScriptRunner._run_script = _profiled
atexit.register(_dump)

if __name__ == "__main__":
    sys.argv[0] = "streamlit"
    sys.exit(main())
