#!/usr/bin/python3
"""python-files.py SRC_PYTHON_DIR LIBVHID_SO - the files the VM needs to run the Python binding.

Prints the interpreter's standard-library files that the vhid package and the
examples import (found by importing them here, with the host's own python3),
each with its cached bytecode when there is one, so the guest neither compiles
nor needs the whole library. Extension modules only optional imports pull in
(ssl, lzma, bz2) are left out: their imports are guarded.
"""
import importlib.util
import os
import sys

SKIP = ("_ssl", "_hashlib", "_lzma", "_bz2")

src = os.path.abspath(sys.argv[1])
os.environ["VHID_LIBRARY"] = sys.argv[2]  # importing vhid loads it
sys.path.insert(0, src)
import argparse, asyncio, ctypes.util, select, signal, time  # noqa: E401,F401,E402
import vhid  # noqa: F401,E402

files = set()
for mod in list(sys.modules.values()):
    f = getattr(mod, "__file__", None)
    if not f or os.path.abspath(f).startswith(src) or os.path.basename(f).startswith(SKIP):
        continue
    files.add(f)
    if f.endswith(".py"):
        cached = importlib.util.cache_from_source(f)
        if os.path.exists(cached):
            files.add(cached)
# the landmark python finds its prefix by
files.add(os.path.join(os.path.dirname(os.__file__), "os.py"))
print("\n".join(sorted(files)))
