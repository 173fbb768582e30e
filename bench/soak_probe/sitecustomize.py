"""bench/soak.py --diagnose: loaded into the app server (PYTHONPATH) to say what holds its memory.

On SIGUSR1 the server writes, to $NNX_SOAK_PROBE_OUT, one JSON line: the allocator's figures (glibc's
mallinfo2: bytes in use, bytes free but kept, arenas' total), live objects after a full garbage
collection (Streamlit's sessions, script runners, session states; the most common types), and the
size of the app's chart cache. (Python's small objects live in its own arenas, not malloc's.)
On SIGUSR2 it first calls malloc_trim(0) (free pages go back to the system), then writes the same
line: what trimming alone gives back.
Nothing here is part of the app.
"""

import ctypes
import gc
import json
import os
import signal
import sys
from collections import Counter


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _allocator():
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return {"in_use_mb": (info.uordblks + info.hblkhd) / 2**20, "free_kept_mb": info.fordblks / 2**20,
            "arena_mb": info.arena / 2**20, "mmapped_mb": info.hblkhd / 2**20}


def _report(signum, frame):
    if signum == signal.SIGUSR2:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    gc.collect()
    objects = gc.get_objects()
    types = Counter(type(o).__name__ for o in objects)
    caches = {}
    charts = sys.modules.get("ui.charts")
    if charts is not None and hasattr(charts, "_structure"):
        caches["charts._structure"] = charts._structure.cache_info().currsize
    line = {"trimmed": signum == signal.SIGUSR2, "allocator": _allocator(),
            "sessions": types.get("AppSession", 0), "script_runners": types.get("ScriptRunner", 0),
            "session_states": types.get("SessionState", 0), "threads": len(sys._current_frames()),
            "objects": len(objects), "top_types": types.most_common(12), "caches": caches}
    with open(os.environ["NNX_SOAK_PROBE_OUT"], "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


if os.environ.get("NNX_SOAK_PROBE_OUT"):
    signal.signal(signal.SIGUSR1, _report)
    signal.signal(signal.SIGUSR2, _report)
