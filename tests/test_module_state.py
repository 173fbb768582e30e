"""No state is kept between runs in module variables (issue 7).

A hosted Streamlit app serves every learner from one process, so a module's variables are shared by
all sessions. A container built at module level and written at run time is state: one learner's
data could reach another, and two sessions writing at once can corrupt it. Per-user state belongs
in ``st.session_state``; a memo of a pure function belongs in ``functools.lru_cache`` or
``st.cache_data``; ``st.cache_resource`` is kept for the few shared objects listed below.

These tests read the code (``ast``) and fail on:

- any ``global`` statement (the way a function rebinds a module variable). A ``nonlocal`` cannot
  reach module level at all: Python refuses it when compiling;
- a module-level name bound to a dict, list or set (a display, a comprehension, or a call of dict,
  list, set, defaultdict, OrderedDict, Counter or deque) that is then written in place anywhere in
  the module: ``NAME[k] = v``, ``NAME[k] += v``, ``del NAME[k]``, ``NAME += ...``,
  ``NAME.append(...)``, ``NAME[k].update(...)`` and the other mutating methods;
- ``st.cache_resource`` outside ``CACHE_RESOURCE_ALLOWED``;
- an ``st.cache_data`` function that reads the session, the link or the request (its result is
  keyed by its arguments alone, so it must be a pure function of them).

Page scripts (app_pages/, streamlit_app.py) are run by Streamlit from the top on every rerun, in a
fresh namespace: their top-level code may build its own lists and dicts step by step, as those live
for one run only. Their functions are checked like a module's.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("app_pages", "streamlit_app.py")
CONTAINER_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}
MUTATORS = {"append", "appendleft", "extend", "extendleft", "insert", "remove", "discard", "add", "pop",
            "popleft", "popitem", "clear", "update", "setdefault", "sort", "reverse", "rotate",
            "difference_update", "intersection_update", "symmetric_difference_update", "__setitem__",
            "__delitem__"}

# Every file that may use st.cache_resource, and why it is safe: nothing per-user may go in it.
CACHE_RESOURCE_ALLOWED = {
    "ui/trainers.py": "one trainer queue for the whole server, holding only opaque random tickets, and one idle "
                      "training process waiting for the server's next turn (nothing of a learner's in it)",
}


def sources():
    """Every Python file of the app: ui/, app_pages/, nnengine/ and streamlit_app.py."""
    files = [path for folder in ("ui", "app_pages", "nnengine") for path in sorted((ROOT / folder).rglob("*.py"))]
    return [*files, ROOT / "streamlit_app.py"]


def is_script(path):
    """A page script, run from the top on every rerun (not imported as a module)."""
    return path.relative_to(ROOT).as_posix().startswith(SCRIPTS)


def _is_container(node):
    if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        return name in CONTAINER_CALLS
    return False


def _top_level(body):
    """The module's own statements, through if/for/while/with/try blocks but not into functions or classes."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield statement
        for block in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(statement, block, None)
            if isinstance(inner, list):
                yield from _top_level(inner)


def module_containers(tree):
    """{name: line} of the module-level names bound to a new dict, list or set."""
    found = {}
    for statement in _top_level(tree.body):
        if isinstance(statement, ast.Assign):
            pairs = []
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    pairs.append((target, statement.value))
                elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(statement.value, (ast.Tuple, ast.List)):
                    pairs += zip(target.elts, statement.value.elts)      # a, b = [], {}
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            pairs = [(statement.target, statement.value)]
        else:
            continue
        for target, value in pairs:
            if isinstance(target, ast.Name) and _is_container(value):
                found.setdefault(target.id, statement.lineno)
    return found


def _root(node):
    """The variable at the bottom of NAME[k].attr[j]..., or None."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(node):
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _writes(node):
    """The variable ``node`` writes in place (NAME[k] = v, del NAME[k], NAME += v, NAME.append(v), ...)."""
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        return [_root(t) for target in targets for t in _targets(target) if isinstance(t, ast.Subscript)]
    if isinstance(node, ast.AugAssign):
        return [_root(node.target)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        return [_root(node.func.value)]
    return []


def _local_names(function):
    """Names a function binds itself (its arguments and assignments), which hide module names inside it."""
    arguments = function.args
    names = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                             arguments.vararg, arguments.kwarg] if a is not None}
    if isinstance(function, ast.Lambda):
        return names
    declared_global = set()
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue                     # its own names are its own
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        stack.extend(ast.iter_child_nodes(node))
    return names - declared_global


def module_writes(tree, script=False):
    """(name, line) of every in-place write to a variable that, where it happens, is the module's.
    In a script, the top-level code's own writes are left out (they last one run)."""
    found = []

    def visit(node, hidden, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, hidden | _local_names(child), True)
                continue
            if in_function or not script:
                found.extend((name, child.lineno) for name in _writes(child) if name and name not in hidden)
            visit(child, hidden, in_function)

    visit(tree, frozenset(), False)
    return found


def module_state_problems(source, name="<source>", script=False):
    """What in this module's code keeps state at module level (see the module docstring), as messages."""
    tree = ast.parse(source, filename=str(name))
    problems = [f"{name}:{node.lineno}: `global {', '.join(node.names)}` rebinds module state"
                for node in ast.walk(tree) if isinstance(node, ast.Global)]
    containers = module_containers(tree)
    problems += [f"{name}:{line}: module-level `{variable}` (made on line {containers[variable]}) is written "
                 "at run time" for variable, line in module_writes(tree, script) if variable in containers]
    return problems


def cache_resource_uses(source):
    """Lines that use st.cache_resource (decorator, call, or an import of the name)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "cache_resource":
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id == "cache_resource":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(alias.name == "cache_resource" for alias in node.names):
            lines.append(node.lineno)
    return lines


def cache_data_reading_the_session(source):
    """Names of st.cache_data functions that read per-user state (the session, the link, the request):
    their results would be keyed by their arguments alone and served to other sessions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        if not any(isinstance(d, ast.Attribute) and d.attr == "cache_data" for d in decorators):
            continue
        if any(isinstance(inner, ast.Attribute) and inner.attr in ("session_state", "query_params", "context")
               for inner in ast.walk(node)):
            found.append(node.name)
    return found


def test_no_module_keeps_state_between_runs():
    problems = [problem for path in sources()
                for problem in module_state_problems(path.read_text(), path.relative_to(ROOT), is_script(path))]
    assert not problems, "\n".join(problems)


def test_cache_resource_only_where_allowed():
    """st.cache_resource is shared by every session: each use is listed, with why nothing per-user enters it."""
    used = {path.relative_to(ROOT).as_posix(): cache_resource_uses(path.read_text()) for path in sources()}
    unexpected = {name: lines for name, lines in used.items() if lines and name not in CACHE_RESOURCE_ALLOWED}
    assert not unexpected, f"st.cache_resource outside CACHE_RESOURCE_ALLOWED: {unexpected}"
    assert all(reason.strip() for reason in CACHE_RESOURCE_ALLOWED.values())


def test_cache_data_functions_read_only_their_arguments():
    readers = {path.relative_to(ROOT).as_posix(): cache_data_reading_the_session(path.read_text())
               for path in sources()}
    assert not any(readers.values()), readers


def test_the_checker_finds_state_written_at_run_time():
    """The checker itself: a hand-managed cache and a global counter are found, wherever written."""
    cache = '''
_STRUCTURES = {}

def chart(key, build):
    cached = _STRUCTURES.get(key)
    if cached is None:
        if len(_STRUCTURES) >= 512:
            _STRUCTURES.clear()
        cached = _STRUCTURES[key] = {"chart": build(), "spec": None}
    if cached["spec"] is None:
        cached["spec"] = cached["chart"].to_dict()
    return cached
'''
    assert len(module_state_problems(cache)) == 2          # .clear() and the subscript assignment
    for write in ("SEEN.append(x)", "SEEN[0] = x", "SEEN[0] += x", "del SEEN[0]", "SEEN[0].update(x)"):
        source = f"SEEN = list()\n\ndef f(x):\n    {write}\n"
        assert module_state_problems(source), write
        assert module_state_problems(source, script=True), write        # a page's function: checked too
    assert module_state_problems("SEEN = []\nSEEN += [1]\n")            # (in a function it needs `global`)
    assert module_state_problems("from collections import defaultdict\nA, B = 0, defaultdict(list)\n"
                                 "def f(x):\n    B[x].append(x)\n")
    assert module_state_problems("COUNT = 0\ndef f():\n    global COUNT\n    COUNT += 1\n")
    assert cache_data_reading_the_session("import streamlit as st\n@st.cache_data(ttl=9)\n"
                                          "def f(x):\n    return x + st.session_state['y']\n") == ["f"]
    assert cache_resource_uses("from streamlit import cache_resource\n@cache_resource\ndef q():\n    pass\n")


def test_the_checker_leaves_read_only_tables_and_local_names_alone():
    source = '''
TABLE = {"a": 1}
ROWS = []

def f(x, ROWS):
    ROWS.append(TABLE[x])          # the argument, not the module's ROWS

def g():
    TABLE = {}
    TABLE["b"] = 2                 # a local of the same name
    return [TABLE.get(k) for k in "ab"]
'''
    assert module_state_problems(source) == []
    page = "rows = []\nfor x in range(3):\n    rows.append(x)\n"
    assert module_state_problems(page, script=True) == []                # one run's own list
    assert module_state_problems(page, script=False)                     # but in a module: shared
