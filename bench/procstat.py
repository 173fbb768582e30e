"""A process's CPU time and memory, read from Linux's /proc: shared by the benchmarks that watch the
app server (load.py, training_ui.py). Linux only, like the benchmarks."""

import os


def _stat_fields(pid):
    """The fields of /proc/<pid>/stat after the command name (which may itself hold spaces or ')')."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
        return file.read().rsplit(")", 1)[1].split()


def descendants(root):
    """Pids of the live processes below ``root``: its children, theirs, and so on (not ``root``)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents.setdefault(int(_stat_fields(entry)[1]), []).append(int(entry))
            except (OSError, IndexError):
                continue                        # it has just ended
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pid):
    """User + system CPU seconds of one process (its threads, finished ones too). OSError once it has ended."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pid):
    """CPU seconds of the children ``pid`` has waited for (they ended: the kernel adds theirs to its own
    count of them), and of its live descendants."""
    fields = _stat_fields(pid)
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK") + tree_cpu_seconds(pid) - cpu_seconds(pid)


def status_kb(pid, field):
    """A kB line of /proc/<pid>/status (VmRSS: resident memory now, VmHWM: its peak), 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as file:
            for line in file:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_mb(pid, field="VmRSS"):
    """A /proc status figure summed over ``pid`` and its descendants, in MB."""
    return sum(status_kb(p, field) for p in [pid, *descendants(pid)]) / 1024


def tree_cpu_seconds(pid):
    """CPU seconds of ``pid`` and its live descendants."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            total += cpu_seconds(p)
        except (OSError, IndexError):
            pass                                # it has just ended
    return total
