#!/usr/bin/python3
# Proves the layering holds: each folder of src/ is compiled with the
# include directories of itself and the folders below it only, so a file
# that includes a higher layer's header does not build.
#
# For every layer, a one-line file is compiled with the very command meson
# uses for that layer's sources (read from compile_commands.json): it must
# build when it includes a header of its own layer or of one below, and
# must fail, saying the header is not found, for every layer above.
#
# usage: layers-refuse-upward-includes.py BUILD_DIR

import json
import os
import shlex
import subprocess
import sys
import tempfile

# In dependency order; ui and cli are both on top, and see neither each other.
LAYERS = [
    ("base", "vetter-error.h"),
    ("image", "vetter-pixels.h"),
    ("intake", "vetter-intake.h"),
    ("pipeline", "vetter-pipeline.h"),
    ("store", "vetter-store.h"),
    ("engine", "vetter-engine.h"),
    ("sync", "vetter-sync.h"),
    ("ui", "vetter-window.h"),
    ("cli", "vetter-batch.h"),
]


def below(layer):
    names = [name for name, _ in LAYERS]
    index = names.index(layer)
    if layer == "cli":
        index = names.index("ui")
    return names[:index]


def command_for(entries, layer):
    """The compile command of one source of LAYER's own library."""
    marker = "libvetter-%s.a.p" % layer
    for entry in entries:
        if marker in entry.get("output", entry["command"]):
            return entry
    raise SystemExit("no compile command for the %s layer" % layer)


def compile_with(entry, header, scratch):
    source = os.path.join(scratch, "probe.c")
    with open(source, "w") as f:
        f.write('#include "config.h"\n#include "%s"\n' % header)
    args = shlex.split(entry["command"])
    kept = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-MF", "-MQ", "-MT"):
            skip = True
            continue
        if arg in ("-c", "-MD") or arg == entry["file"] or arg.endswith(".c"):
            continue
        kept.append(arg)
    kept += ["-fsyntax-only", "-c", source]
    result = subprocess.run(kept, cwd=entry["directory"], capture_output=True, text=True)
    return result.returncode == 0, result.stderr


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    headers = dict(LAYERS)
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for layer, own in LAYERS:
            entry = command_for(entries, layer)
            for other in [layer] + below(layer):
                ok, err = compile_with(entry, headers[other], scratch)
                if ok:
                    print("ok: %s sees %s (%s)" % (layer, other, headers[other]))
                else:
                    print("not ok: %s cannot include %s from %s:\n%s" % (layer, headers[other], other, err))
                    failures += 1
            for other, header in LAYERS:
                if other == layer or other in below(layer):
                    continue
                ok, err = compile_with(entry, header, scratch)
                if ok:
                    print("not ok: %s includes %s from the %s layer above it, and builds" % (layer, header, other))
                    failures += 1
                elif "No such file" not in err:
                    print("not ok: %s including %s failed for another reason:\n%s" % (layer, header, err))
                    failures += 1
                else:
                    print("ok: %s is refused %s from %s" % (layer, header, other))
    sys.exit(1 if failures else 0)


main()
