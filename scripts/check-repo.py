#!/usr/bin/env python3
"""Repository checks that the compiler does not make; `make test` runs them.

1. Self-contained: no file of the repository refers to documents outside it
   (a parent directory's `shared` docs); the repository's docs are in `docs/`.
2. Layering: the `// Layer N` comments above the targets in Package.swift
   declare each module's layer (docs/architecture.md). A target may depend
   on, and its sources may import, only modules of lower layers. Every target
   outside `Tests/` and `Benchmarks/` must have a layer. The module table in
   docs/architecture.md must match Package.swift (layers and local
   dependencies).
3. Paths: every repository path that a doc, comment or script names
   (a path under docs/, scripts/, scenarios/, Sources/, Tests/ or Benchmarks/,
   or a bare name ending in .md, which means a file at the root or in docs/)
   exists. A path followed by a placeholder or glob (`<`, `{`, `*`) names no
   single file, and one followed by `:line` is an example location in a
   message; neither is checked. Test fixtures and recordings are data and are
   not searched.

Usage: scripts/check-repo.py [--self-test [-v]]
With --self-test, each rule is broken on purpose in memory and must fail
(-v shows the error each one gives).
Only the standard library; run from anywhere.
"""

import functools
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Built from parts so that this file does not match its own rule.
FORBIDDEN = [re.compile(re.escape(".." + "/shared")), re.compile(re.escape("shared" + "/docs"))]

# Files whose text is data, not prose: not searched for paths. This script
# holds broken paths on purpose (the self-test).
DATA_PARTS = ("/Fixtures/", "recordings/", "Package.resolved", "scripts/check-repo.py")

ARCHITECTURE_DOC = "docs/architecture.md"
ARCHITECTURE_HEADING = "## Modules and layers"


# --------------------------------------------------------------------------
# Files


def repository_files():
    """Tracked files plus new ones not ignored (so a check sees work in progress)."""
    try:
        output = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout
        names = [name for name in output.decode("utf-8", "replace").split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for directory, subdirectories, files in os.walk(ROOT):
            subdirectories[:] = [d for d in subdirectories if d not in (".git", ".build", ".swiftpm")]
            for name in files:
                names.append(os.path.relpath(os.path.join(directory, name), ROOT))
    return sorted(name for name in set(names) if os.path.isfile(os.path.join(ROOT, name)))


def read_text(name):
    """The file's text, or None for a binary file."""
    try:
        with open(os.path.join(ROOT, name), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# 1. No references outside the repository


def outside_reference_errors(texts):
    return [error for name, text in texts.items() for error in file_outside_reference_errors(name, text)]


# Per-file results are cached: the self-test runs every check again on texts
# that are mostly the same objects.
@functools.lru_cache(maxsize=None)
def file_outside_reference_errors(name, text):
    errors = []
    if not any(pattern.search(text) for pattern in FORBIDDEN):
        return errors
    for number, line in enumerate(text.splitlines(), 1):
        if any(pattern.search(line) for pattern in FORBIDDEN):
            errors.append(f"{name}:{number}: refers to documents outside the repository: {line.strip()}")
    return errors


# --------------------------------------------------------------------------
# 2. Layers


TARGET_START = re.compile(r"\.(target|executableTarget|systemLibrary|testTarget|binaryTarget|plugin|macro)\(")


def matching_close(text, start, opening, closing):
    """Index of the bracket closing the one at `start`, skipping strings and comments."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if text.startswith("//", index):
            index = text.find("\n", index)
            if index < 0:
                break
        elif char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unbalanced {opening} at offset {start}")


def section_of_lines(text):
    """For each line after `targets:`, the section it is in: (layer or None, title).

    A section starts at a comment line that follows a blank line (or opens the
    targets list); `// Layer N` starts layer N, any other title an unlayered
    section (benchmarks, tests). Comments directly under a title belong to it.
    """
    sections = []
    current = (None, "before the first section")
    in_targets = False
    previous_blank = True
    for line in text.splitlines():
        stripped = line.strip()
        if not in_targets and re.match(r"targets\s*:", stripped):
            in_targets = True
            sections.append((None, "outside targets"))
            previous_blank = True  # the list's opening line counts as a break
            continue
        if in_targets and stripped.startswith("//") and previous_blank:
            title = stripped[2:].strip()
            match = re.fullmatch(r"Layer (\d+)", title)
            current = (int(match.group(1)), title) if match else (None, title)
        sections.append(current if in_targets else (None, "outside targets"))
        previous_blank = stripped == ""
    return sections


def parse_package(text):
    """Targets of Package.swift: name -> {kind, layer, section, path, dependencies}."""
    sections = section_of_lines(text)
    targets = {}
    for match in TARGET_START.finditer(text):
        kind = match.group(1)
        open_index = match.end() - 1
        close_index = matching_close(text, open_index, "(", ")")
        body = text[open_index + 1:close_index]
        name = re.search(r'name\s*:\s*"([^"]+)"', body)
        if not name:
            continue
        path = re.search(r'path\s*:\s*"([^"]+)"', body)
        dependencies = []
        dependencies_match = re.search(r"dependencies\s*:\s*\[", body)
        if dependencies_match:
            list_open = dependencies_match.end() - 1
            list_close = matching_close(body, list_open, "[", "]")
            listed = body[list_open + 1:list_close]
            # Products of packages are not local modules.
            while True:
                product = re.search(r"\.product\(", listed)
                if not product:
                    break
                end = matching_close(listed, product.end() - 1, "(", ")")
                listed = listed[:product.start()] + listed[end + 1:]
            dependencies = re.findall(r'"([^"]+)"', listed)
        line_number = text.count("\n", 0, match.start())
        layer, section = sections[line_number]
        targets[name.group(1)] = {
            "kind": kind, "layer": layer, "section": section,
            "path": path.group(1) if path else None, "dependencies": dependencies,
            "line": line_number + 1,
        }
    return targets


def is_outside_layers(target):
    path = target["path"] or ""
    return target["kind"] == "testTarget" or path.startswith("Tests/") or path.startswith("Benchmarks/")


def source_directory(name, target):
    if target["path"]:
        return target["path"]
    return ("Tests/" if target["kind"] == "testTarget" else "Sources/") + name


IMPORT = re.compile(
    r"^\s*(?:@[\w]+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)",
    re.MULTILINE)


def imports_by_target(targets, files, texts):
    """Module name -> [(file, line, imported module)] for the layered targets' sources."""
    found = {}
    for name, target in targets.items():
        if target["layer"] is None:
            continue
        prefix = source_directory(name, target).rstrip("/") + "/"
        entries = []
        for file in files:
            if file.startswith(prefix) and file.endswith(".swift") and file in texts:
                entries += file_imports(file, texts[file])
        found[name] = entries
    return found


@functools.lru_cache(maxsize=None)
def file_imports(name, text):
    return [(name, text.count("\n", 0, match.start()) + 1, match.group(1)) for match in IMPORT.finditer(text)]


def layer_errors(targets, imports):
    errors = []
    for name, target in sorted(targets.items(), key=lambda item: item[1]["line"]):
        where = f"Package.swift:{target['line']}"
        if target["layer"] is None:
            if not is_outside_layers(target):
                errors.append(f"{where}: target {name} has no layer (section '{target['section']}'); "
                              "put it under a `// Layer N` comment")
            continue
        for dependency in target["dependencies"]:
            if dependency not in targets:
                continue  # a package product named by its name
            other = targets[dependency]
            if other["layer"] is None:
                errors.append(f"{where}: {name} (layer {target['layer']}) depends on {dependency}, "
                              "which is outside the layers")
            elif other["layer"] >= target["layer"]:
                errors.append(f"{where}: {name} (layer {target['layer']}) depends on {dependency} "
                              f"(layer {other['layer']}); a module depends only on lower layers")
    for name, entries in sorted(imports.items()):
        layer = targets[name]["layer"]
        for file, line, module in entries:
            if module == name or module not in targets:
                continue
            other = targets[module]
            if other["layer"] is None or other["layer"] >= layer:
                shown = "outside the layers" if other["layer"] is None else f"layer {other['layer']}"
                errors.append(f"{file}:{line}: {name} (layer {layer}) imports {module} ({shown}); "
                              "a module imports only lower layers")
    return errors


def architecture_table(text):
    """Rows of the module table: name -> (layer, set of local dependencies, line)."""
    rows = {}
    start = text.find(ARCHITECTURE_HEADING)
    if start < 0:
        return None
    first_line = text.count("\n", 0, start) + 1
    in_table = False
    for offset, line in enumerate(text[start:].splitlines()[1:], 1):
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            if in_table:
                break
            continue
        in_table = True
        if len(cells) < 3 or not re.fullmatch(r"\d+", cells[0]):
            continue  # the header and its rule
        module = re.fullmatch(r"`(\w+)`", cells[1])
        if not module:
            continue
        rows[module.group(1)] = (int(cells[0]), set(re.findall(r"`(\w+)`", cells[2])), first_line + offset)
    return rows


def architecture_errors(targets, text):
    if text is None:
        return [f"{ARCHITECTURE_DOC}: missing"]
    rows = architecture_table(text)
    if rows is None:
        return [f"{ARCHITECTURE_DOC}: no '{ARCHITECTURE_HEADING}' section"]
    errors = []
    layered = {name: target for name, target in targets.items() if target["layer"] is not None}
    for name, target in layered.items():
        local = {dependency for dependency in target["dependencies"] if dependency in targets}
        if name not in rows:
            errors.append(f"{ARCHITECTURE_DOC}: module {name} (layer {target['layer']} in Package.swift) "
                          "is missing from the module table")
            continue
        layer, dependencies, line = rows[name]
        if layer != target["layer"]:
            errors.append(f"{ARCHITECTURE_DOC}:{line}: {name} is in layer {layer} here, "
                          f"layer {target['layer']} in Package.swift")
        if dependencies != local:
            errors.append(f"{ARCHITECTURE_DOC}:{line}: {name} depends on {sorted(dependencies)} here, "
                          f"on {sorted(local)} in Package.swift")
    for name, (_, _, line) in rows.items():
        if name not in layered:
            errors.append(f"{ARCHITECTURE_DOC}:{line}: {name} is not a layered target of Package.swift")
    return errors


# --------------------------------------------------------------------------
# 3. Named paths exist


PATH = re.compile(r"(?<![\w./\-~$])((?:docs|scripts|scenarios|Sources|Tests|Benchmarks)/[A-Za-z0-9_.\-/]*[A-Za-z0-9_])")
BARE_DOC = re.compile(r"(?<![\w./\-])([A-Za-z0-9_\-]+\.md)\b")
# A path that goes on with a placeholder or a glob names no single file.
PLACEHOLDER_NEXT = set("*<{…$[")


def path_errors(texts, exists):
    return [error for name, text in texts.items() if not any(part in name for part in DATA_PARTS)
            for error in file_path_errors(name, text, exists)]


@functools.lru_cache(maxsize=None)
def file_path_errors(name, text, exists):
    errors = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in PATH.finditer(line):
            following = line[match.end():match.end() + 2]
            if following[:1] in PLACEHOLDER_NEXT or following == "-<" or re.fullmatch(r":\d", following):
                continue
            path = match.group(1).rstrip(".")
            if not exists(path):
                errors.append(f"{name}:{number}: names {path}, which does not exist")
        for match in BARE_DOC.finditer(line):
            doc = match.group(1)
            if not (exists(doc) or exists("docs/" + doc)):
                errors.append(f"{name}:{number}: names {doc}, which is neither at the root nor in docs/")
    return errors


# --------------------------------------------------------------------------


def run_checks(files, texts, exists):
    errors = outside_reference_errors(texts)
    package = texts.get("Package.swift")
    if package is None:
        errors.append("Package.swift: missing")
    else:
        targets = parse_package(package)
        errors += layer_errors(targets, imports_by_target(targets, files, texts))
        errors += architecture_errors(targets, texts.get(ARCHITECTURE_DOC))
    errors += path_errors(texts, exists)
    return errors


def load():
    files = repository_files()
    texts = {}
    for name in files:
        text = read_text(name)
        if text is not None:
            texts[name] = text
    return files, texts


def exists_in_repository(path):
    return os.path.exists(os.path.join(ROOT, path))


def self_test(verbose):
    """Breaks each rule in memory and expects the matching error."""
    files, texts = load()
    baseline = set(run_checks(files, texts, exists_in_repository))

    def broken(description, change, expected):
        changed = dict(texts)
        if not change(changed):
            print(f"self-test: {description}: cannot break it, the text it edits changed; update the self-test")
            return False
        new = [error for error in run_checks(files, changed, exists_in_repository)
               if error not in baseline and expected in error]
        if verbose or not new:
            print(f"self-test: {description}: {'fails as it should' if new else 'NOT DETECTED'}")
        if verbose and new:
            print(f"    {new[0]}")
        return bool(new)

    def replace(name, pattern, replacement):
        """Replaces the first match of the regular expression `pattern`."""
        def change(changed):
            text, count = re.subn(pattern, replacement, changed.get(name, ""), count=1)
            changed[name] = text
            return count == 1
        return change

    def append(name, extra):
        def change(changed):
            changed[name] = changed.get(name, "") + extra
            return True
        return change

    results = [
        broken("a doc refers outside the repository",
               append("README.md", "\nSee " + "/".join(["..", "shared", "docs", "architecture.md"]) + ".\n"),
               "outside the repository"),
        broken("a target depends on its own layer",
               replace("Package.swift", r'(\.target\(name: "Receiver", dependencies: \[)', r'\1"Replay", '),
               "Receiver (layer 2) depends on Replay (layer 2)"),
        broken("a target depends on a layer above",
               replace("Package.swift", r'(\.target\(name: "SegmentStore", dependencies: \[)', r'\1"Receiver", '),
               "SegmentStore (layer 1) depends on Receiver (layer 2)"),
        broken("a source file imports a module of its own layer",
               replace("Sources/Replay/Pacing.swift", r"(?m)^import EventModel$", "import EventModel\nimport Synthesis"),
               "Replay (layer 2) imports Synthesis"),
        broken("a target outside Tests/ and Benchmarks/ has no layer",
               replace("Package.swift", r"(?m)^(\s*)// Layer 3$", r"\n\1// Command line"), "has no layer"),
        broken("docs/architecture.md disagrees with Package.swift",
               replace(ARCHITECTURE_DOC, r"\| 2 \| `Receiver` \|", "| 1 | `Receiver` |"), "is in layer 1 here"),
        broken("a comment names a doc that does not exist",
               append("Sources/Replay/Pacing.swift", "\n// See docs/no-such-page.md.\n"), "docs/no-such-page.md"),
        broken("a comment cites a bare doc name that does not exist",
               append("Sources/Replay/Pacing.swift", "\n// See missing-contract.md §2.\n"), "missing-contract.md"),
    ]
    if all(results):
        print(f"check-repo self-test: each of the {len(results)} rules fails when broken")
        return 0
    return 1


def main():
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "--self-test" and set(arguments[1:]) <= {"-v"}:
        return self_test(verbose="-v" in arguments)
    if arguments:
        print(__doc__)
        return 64
    files, texts = load()
    errors = run_checks(files, texts, exists_in_repository)
    for error in errors:
        print(error)
    if errors:
        print(f"check-repo: {len(errors)} problem(s)")
        return 1
    print(f"check-repo: ok ({len(texts)} files; layers, docs and paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
