#!/usr/bin/env python3
"""Executable docs: run the ```sh blocks of README.md and docs/tutorial.md and check that the
output blocks the pages show are what the commands print.

Usage: run_docs.py --lfm BIN --venv VENV [--update] [FILE...]

Rules for a page (see the comment at the top of docs/tutorial.md):
  - every ```sh block runs, in page order, in ONE bash session per page (cd and variables
    carry over), starting in the lfm checkout; a failing command fails the check.
    ```shell blocks are shown, not run (installing system packages, downloading a model).
  - the ``` (or ```text) block right after a ```sh block is its expected output (stdout and
    stderr as a terminal shows them). A line that is only `…` stands for any number of lines.
  - before comparing, the output is normalised: the sandbox's home (/tmp/lfmh) is /home/you, run ids and
    timestamps are fixed, durations and the mock server's port are replaced.
  - --update rewrites the expected blocks with what the commands printed now (keeping as many
    lines before and after each `…` as the page shows).

The sandbox: HOME is a fresh directory; ~/lfm is this checkout, ~/lf-venv the LLaMA-Factory
venv (the page builds its own tiny model in ~/.cache); `lfm` on PATH is BIN; OPENAI_BASE_URL points at
the local mock server (Tests/LFMGenerateTests/Fixtures/mock_openai.py); NO_COLOR=1, COLUMNS=80.
A ```sh block that is exactly `swift test` is not run here: .ci/run runs it as its own step.
"""
import argparse
import difflib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MARK = "@@lfm-docs-block@@"
FIXED_RUN_ID = "20261124-215317"
SKIPPED = {"swift test": "run by .ci/run as its own step"}


class Block:
    def __init__(self, start, end, lines):
        self.start, self.end, self.lines = start, end, lines  # start/end: indexes of the fences
        self.output = None  # (start, end, lines) of the expected-output block


def parse(text):
    """The ```sh blocks of a page with the output block that follows each."""
    lines = text.split("\n")
    blocks, fences = [], []
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        fences.append((m.group(1), i, j, lines[i + 1:j]))
        i = j + 1
    for n, (info, start, end, body) in enumerate(fences):
        if info != "sh":
            continue
        block = Block(start, end, body)
        if n + 1 < len(fences):
            ninfo, nstart, nend, nbody = fences[n + 1]
            between = lines[end + 1:nstart]
            if ninfo in ("", "text") and all(not x.strip() for x in between):
                block.output = (nstart, nend, nbody)
        blocks.append(block)
    return lines, blocks


def normalise(text, sandbox):
    home = sandbox["home"]
    text = text.replace(sandbox["path"], "/home/you/.local/bin:/usr/local/bin:/usr/bin:/bin")
    real = {
        os.path.realpath(REPO): "/home/you/lfm",
        os.path.realpath(sandbox["venv"]): "/home/you/lf-venv",
        os.path.realpath(home): "/home/you",
        home: "/home/you",
    }
    for path in sorted(real, key=len, reverse=True):
        text = text.replace(path, real[path])
    text = re.sub(r"\b20\d{6}-\d{6}\b", FIXED_RUN_ID, text)
    text = re.sub(r"\b20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?\b", "2026-11-24T21:53:17Z", text)
    text = re.sub(r"\b20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\b", "2026-11-24 21:53:17", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8000", text)
    text = re.sub(r"\b\d+h\d\dm\b|\b\d+m\d\ds\b", "5s", text)  # durations: 1h02m, 1m05s, 12s, 0.4 s
    text = re.sub(r"\b\d+(\.\d+)? ?s\b(?!/)", "5s", text)
    text = re.sub(r"\(\d+(\.\d+)?s\)", "(5s)", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def matches(expected, actual):
    """`expected` lines against `actual`, a line `…` matching any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "…":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def updated(expected, actual):
    """New expected lines: the whole output, or as many lines around each `…` as before."""
    if "…" not in expected:
        return actual
    head = expected.index("…")
    tail = expected[::-1].index("…")  # lines after the last `…`
    if head + tail >= len(actual):
        return actual
    return actual[:head] + ["…"] + (actual[len(actual) - tail:] if tail else [])


def make_sandbox(args):
    work = tempfile.mkdtemp(prefix="lfm-docs.")
    # HOME is always the same path (generate's prompts name the documents' paths, so the mock's
    # replies depend on it) and as long as /home/you (tables keep their alignment when it is
    # replaced). One run at a time: the lock is held until this process exits.
    lock = open("/tmp/lfm-docs.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    home = "/tmp/lfmh"
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.join(home, ".cache", "lfm"))
    os.symlink(REPO, os.path.join(home, "lfm"))
    os.symlink(os.path.abspath(args.venv), os.path.join(home, "lf-venv"))
    bindir = os.path.join(home, ".local", "bin")  # where `.ci/install.sh ~/.local` puts lfm
    os.makedirs(bindir)
    os.symlink(os.path.abspath(args.lfm), os.path.join(bindir, "lfm"))
    mockdir = os.path.join(work, "mock")
    os.makedirs(mockdir)
    mock = subprocess.Popen([sys.executable, os.path.join(REPO, "Tests/LFMGenerateTests/Fixtures/mock_openai.py"), "--dir", mockdir],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = mock.stdout.readline().strip()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONDA", "LLAMAFACTORY", "VIRTUAL_ENV", "OPENAI", "HF_", "XDG_"))}
    env.update(HOME=home, PATH=bindir + ":" + env.get("PATH", "/usr/bin:/bin"), NO_COLOR="1", COLUMNS="80",
               LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="dumb", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               HF_DATASETS_CACHE=os.path.join(work, "hf-datasets-cache"), TOKENIZERS_PARALLELISM="false",
               OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", LFM_DOCS_CHECK="1")
    return {"work": work, "home": home, "env": env, "mock": mock, "venv": args.venv, "path": env["PATH"], "lock": lock}


def run_page(path, sandbox, update):
    text = open(path, encoding="utf-8").read()
    lines, blocks = parse(text)
    script = ["exec 2>&1", "set -eo pipefail"]
    for n, block in enumerate(blocks):
        script.append(f"echo '{MARK}{n}'")
        body = "\n".join(block.lines).strip()
        commands = "\n".join(x for x in block.lines if x.strip() and not x.strip().startswith("#"))
        if commands in SKIPPED:
            script.append(f"echo 'not run here: {SKIPPED[commands]}'")
        else:
            script.append(body)
    script.append(f"echo '{MARK}end'")
    started = time.time()
    proc = subprocess.run(["bash", "-c", "\n".join(script) + "\n"], cwd=REPO, env=sandbox["env"],
                          stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=1800)
    out = normalise(proc.stdout.decode("utf-8", "replace"), sandbox)
    parts = re.split(re.escape(MARK) + r"(\d+|end)\n?", out)
    outputs = {}
    for k in range(1, len(parts) - 1, 2):
        outputs[parts[k]] = parts[k + 1]
    rel = os.path.relpath(path, REPO)
    print(f"{rel}: {len(blocks)} sh blocks, exit {proc.returncode}, {time.time() - started:.0f} s")
    failures = 0
    if proc.returncode != 0 or "end" not in outputs:
        last = max((int(k) for k in outputs if k != "end"), default=0)
        print(f"FAIL {rel}: the block at line {blocks[last].start + 1} failed (exit {proc.returncode}):")
        print("\n".join("  | " + x for x in blocks[last].lines))
        print("\n".join("  > " + x for x in outputs.get(str(last), "").rstrip("\n").split("\n")[-30:]))
        return 1
    replacements = []
    for n, block in enumerate(blocks):
        actual = outputs[str(n)].rstrip("\n").split("\n")
        actual = [] if actual == [""] else actual
        if block.output is None:
            continue
        start, end, expected = block.output
        if matches(expected, actual):
            continue
        if update:
            replacements.append((start, end, updated(expected, actual)))
            continue
        failures += 1
        print(f"DRIFT {rel}:{start + 1}: the page shows other output than `{block.lines[0]}` prints now:")
        sys.stdout.writelines("  " + x + "\n" for x in difflib.unified_diff(expected, actual, "page", "now", lineterm="", n=1))
    if update and replacements:
        for start, end, new in sorted(replacements, reverse=True):
            lines[start + 1:end] = new
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"updated {len(replacements)} output blocks in {rel}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lfm", required=True)
    parser.add_argument("--venv", required=True)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("files", nargs="*", default=[os.path.join(REPO, "README.md"), os.path.join(REPO, "docs/tutorial.md")])
    args = parser.parse_args()
    failures = 0
    for path in args.files:
        sandbox = make_sandbox(args)
        try:
            failures += run_page(os.path.abspath(path), sandbox, args.update)
        finally:
            sandbox["mock"].terminate()
            if os.environ.get("LFM_DOCS_KEEP") == "1":
                print("sandbox kept:", sandbox["work"], sandbox["home"])
            else:
                shutil.rmtree(sandbox["work"], ignore_errors=True)
                shutil.rmtree(sandbox["home"], ignore_errors=True)
            sandbox["lock"].close()
    if failures:
        print(f"docs: {failures} problem(s); regenerate with: Tests/Conformance/run_docs.py --update --lfm BIN --venv VENV")
        return 1
    print("docs: every shown output matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
