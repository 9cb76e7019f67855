#!/usr/bin/env python3
"""The shared libraries hookreel loads when linked with --static-swift-stdlib,
against the packages the Dockerfile's runtime stage installs.

  scripts/check-runtime-libs.py BINARY    check a binary built with
                                          --static-swift-stdlib (the image's)
  scripts/check-runtime-libs.py --link    link the debug hookreel of .build
                                          that way first, then check it
                                          (`make test`)

The check: every library `ldd` resolves must come from a Debian package that
the runtime stage installs (or libc6, which debian:bookworm-slim has), and
every library package the runtime stage installs must provide one of them;
nothing may come from the Swift toolchain or be missing. The package list is
read from the Dockerfile itself, so the allow-list cannot drift from it.
(This machine runs Debian bookworm like the runtime stage, so `dpkg -S` here
names the packages the image needs.)

Why --link, and why a debug binary is a fair proxy: the image's binary is a
release build, which costs about 11 minutes on two cores; but the libraries an
executable needs are decided at link time by the link inputs (objects,
-l flags, the static Swift runtime), and debug and release links take the same
ones, so a debug link tells the same list. Only the link is redone here, in
seconds, with the objects `swift build` already made:

- The command is SwiftPM's own link of hookreel, read from .build/debug.yaml,
  writing to .build/runtime-libs/hookreel so that SwiftPM's outputs are left
  alone, plus -static-stdlib: the only difference between the link commands
  of `swift build` and `swift build --static-swift-stdlib` (compared in
  .build/debug.yaml).
- `swift build --static-swift-stdlib` also compiles every module with
  -static-stdlib, which imports the SDK's static module interfaces
  (lib/swift_static); those add link dependencies of their own (Foundation:
  its ICU data and C shims; FoundationNetworking: libcurl; FoundationXML:
  libxml2). The objects here were compiled against the shared interfaces, so
  the dependencies that static-mode imports would add are asked from the
  toolchain itself: a probe file importing the same SDK modules (those whose
  libraries the objects autolink) is compiled both ways, and the -l flags only
  the static compile carries are added to the link.

Checked once against a full `swift build --static-swift-stdlib --product
hookreel` in a scratch directory (16 minutes on a busy machine): the
libraries its objects autolink and the NEEDED entries of its binary were the
same as those of the link made here.

Running `swift build --static-swift-stdlib --product hookreel` in .build
instead was measured: about 60 s, it recompiles some modules (and the next
plain `swift build` recompiles them back, another 50 s), and the modules it
does not recompile keep the shared interfaces' dependencies, so the result
depends on which modules the driver chose to rebuild. Building the whole
`make test` build with --static-swift-stdlib breaks the test bundle's link
(it is linked against the shared runtime but its objects then name static-only
libraries such as _FoundationCShims).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BUILD = os.path.join(REPO, ".build")
OUTPUT = os.path.join(BUILD, "runtime-libs", "hookreel")
DOCKERFILE = os.path.join(REPO, "Dockerfile")
# Runtime-stage packages that hold no library: not expected in the ldd list.
NOT_LIBRARIES = {"ca-certificates"}
# In debian:bookworm-slim already (essential): the C library and the loader.
BASE_IMAGE_PACKAGES = {"libc6"}


def fail(message):
    print(f"check-runtime-libs: {message}", file=sys.stderr)
    sys.exit(1)


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(args[:3])}... failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


# ------------------------------------------------------------------ linking

def swiftpm_link_command():
    """SwiftPM's link command for hookreel in the debug build of .build."""
    manifest = os.path.join(BUILD, "debug.yaml")
    if not os.path.exists(manifest):
        fail(f"{manifest} missing: run `swift build` first")
    with open(manifest) as f:
        text = f.read()
    match = re.search(r'^  "C\.hookreel-[^"]*-debug\.exe":\n(?:    .*\n)*?    args: (\[.*\])$', text, re.M)
    if not match:
        fail(f"no link command for hookreel in {manifest}: has SwiftPM's manifest format changed?")
    args = json.loads(match.group(1))
    if "-o" not in args or not any(a.endswith("Objects.LinkFileList") for a in args):
        fail(f"unexpected link command in {manifest}: {args}")
    if "-static-stdlib" in args:
        fail(f"{manifest} is a --static-swift-stdlib build already; check its binary directly")
    return args


def autolinked(objects):
    """The -l flags these objects carry (what swiftc adds when linking them)."""
    extract = shutil.which("swift-autolink-extract") or os.path.join(
        os.path.dirname(os.path.realpath(shutil.which("swiftc"))), "swift-autolink-extract")
    flags = set()
    for start in range(0, len(objects), 500):
        flags |= set(run([extract, *objects[start:start + 500], "-o", "-"]).split())
    return flags


def static_mode_extra_flags(link_flags, swiftc):
    """The -l flags that compiling with -static-stdlib would add, for the SDK
    modules whose libraries `link_flags` name."""
    resource = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(swiftc))), "lib", "swift_static", "linux")
    modules = sorted(
        name[:-len(".swiftmodule")] for name in os.listdir(resource) if name.endswith(".swiftmodule")
    )
    imported = [m for m in modules if m != "Swift" and ({f"-l{m}", f"-lswift{m}"} & link_flags)]
    if not imported:
        return [], []
    with tempfile.TemporaryDirectory() as scratch:
        probe = os.path.join(scratch, "probe.swift")
        with open(probe, "w") as f:
            f.write("".join(f"import {m}\n" for m in imported))
        sets = []
        for mode in ([], ["-static-stdlib"]):
            obj = os.path.join(scratch, f"probe{len(sets)}.o")
            run([swiftc, "-parse-as-library", "-c", *mode, probe, "-o", obj])
            sets.append(autolinked([obj]))
    return imported, sorted(sets[1] - sets[0])


def link_static():
    args = swiftpm_link_command()
    swiftc = args[0]
    file_list = next(a[1:] for a in args if a.endswith("Objects.LinkFileList"))
    with open(file_list) as f:
        objects = [line.strip().strip("'\"") for line in f if line.strip()]
    imported, extra = static_mode_extra_flags(autolinked(objects), swiftc)
    out = args.index("-o")
    args[out + 1] = OUTPUT
    args[out + 2:out + 2] = ["-static-stdlib", *extra]
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    started = time.monotonic()
    run(args)
    print(f"check-runtime-libs: linked {os.path.relpath(OUTPUT, REPO)} with -static-stdlib "
          f"({len(objects)} objects, SDK modules {', '.join(imported)}; static-mode flags added: "
          f"{' '.join(extra) or 'none'}) in {time.monotonic() - started:.1f}s")
    return OUTPUT


# ------------------------------------------------------------------ checking

def runtime_stage_packages():
    """Packages the last stage of the Dockerfile installs with apt-get."""
    with open(DOCKERFILE) as f:
        text = f.read().replace("\\\n", " ")
    stages = re.split(r"^FROM\s", text, flags=re.M)
    packages = set()
    for line in stages[-1].splitlines():
        if line.lstrip().startswith("#"):
            continue
        for command in line.split("&&"):
            words = command.split()
            if "apt-get" in words and "install" in words:
                packages |= {w for w in words[words.index("install") + 1:] if not w.startswith("-")}
    if not packages:
        fail(f"no apt-get install in the runtime stage of {DOCKERFILE}")
    return packages


def package_of(path):
    real = os.path.realpath(path)
    candidates = [path, real]
    for p in (path, real):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            for line in result.stdout.splitlines():
                if not line.startswith("diversion"):
                    return line.split(": ", 1)[0].split(",")[0].split(":")[0]
    return None


def check(binary):
    if not os.path.exists(binary):
        fail(f"{binary} does not exist")
    ldd = run(["ldd", binary])
    problems = []
    needed = {}  # soname -> package
    for line in ldd.splitlines():
        line = line.strip()
        if not line or line.startswith("linux-vdso") or "statically linked" in line:
            continue
        if "not found" in line:
            problems.append(f"{line}: not found on this machine")
            continue
        match = re.match(r"(\S+) => (\S+) \(0x", line) or re.match(r"(\S+) \(0x", line)
        if not match:
            problems.append(f"cannot read ldd line: {line}")
            continue
        soname, path = match.group(1), match.group(match.lastindex)
        path = path if path.startswith("/") else soname
        package = package_of(path)
        if package is None:
            problems.append(f"{soname} ({path}) belongs to no Debian package, so no apt-get can put it in the image"
                            + (" (the Swift runtime is not linked statically)" if "swift" in path else ""))
            continue
        needed[os.path.basename(soname)] = package

    installed = runtime_stage_packages()
    allowed = installed | BASE_IMAGE_PACKAGES
    for soname, package in sorted(needed.items()):
        if package not in allowed:
            problems.append(f"{soname} comes from {package}, which the Dockerfile's runtime stage does not install")
    used = set(needed.values())
    for package in sorted(installed - NOT_LIBRARIES - used):
        problems.append(f"the runtime stage installs {package}, but hookreel loads no library of it: "
                        "drop it there (or add it to NOT_LIBRARIES here if it holds data)")

    listing = ", ".join(f"{s} ({p})" for s, p in sorted(needed.items()))
    if problems:
        print(f"check-runtime-libs: {binary} loads: {listing}", file=sys.stderr)
        for problem in problems:
            print(f"check-runtime-libs: {problem}", file=sys.stderr)
        sys.exit(1)
    print(f"check-runtime-libs: {os.path.relpath(binary, REPO)} loads only what the runtime stage installs: {listing}")


def main():
    arguments = sys.argv[1:]
    if arguments == ["--link"]:
        check(link_static())
    elif len(arguments) == 1 and not arguments[0].startswith("-"):
        check(os.path.abspath(arguments[0]))
    else:
        print(__doc__.split("\n\n", 2)[1], file=sys.stderr)
        sys.exit(64)


if __name__ == "__main__":
    main()
