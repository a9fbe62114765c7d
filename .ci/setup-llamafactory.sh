#!/usr/bin/env bash
# Create or reuse a cached venv (outside the repo) with the real LLaMA-Factory from PyPI,
# for the CPU/offline conformance tests in Tests/Conformance/.
#
#   venv=$(.ci/setup-llamafactory.sh | tail -n 1)
#
# Idempotent: if `import llamafactory, torch` (and the metric packages jieba, nltk, rouge_chinese)
# works in the venv with the pinned versions, nothing is installed; a cached venv that lacks
# only the metric packages gets them added by the same pip install. The venv path is the LAST line on stdout (everything else goes to stderr).
# Exit status: 0 ready; 75 (EX_TEMPFAIL) PyPI unreachable -> caller should skip, not fail;
# anything else: a real failure (bad Python, pip/resolver error, broken install).
#
# Env:
#   LFM_LF_VENV          venv dir (default $HOME/.cache/lfm/venv-lf-0.9.5)
#   LFM_PYTHON           interpreter to create the venv with (default python3; needs >= 3.11)
#   LFM_PIP_EXTRA_ARGS   extra args for `pip install` (e.g. an --extra-index-url)
#   LFM_LF_PACKAGES      override the package list (space-separated; for testing this script)
#
# Pins: torch must be pinned together with torchvision/torchaudio; unpinned torch resolved to a
# build whose torchaudio crashed at training with a CUDA mismatch.
set -euo pipefail

LF_VERSION=0.9.5
TORCH_VERSION=2.11.0
PACKAGES=(
  "llamafactory==$LF_VERSION"
  "torch==$TORCH_VERSION"
  "torchvision==0.26.0"
  "torchaudio==2.11.0"
  # BLEU/ROUGE for predict_with_generate (lfm eval). The 0.9.5 wheel has no `metrics` extra:
  # `pip install "llamafactory[metrics]"` only warns, so they are named here.
  "jieba"
  "nltk"
  "rouge-chinese"
)
if [ -n "${LFM_LF_PACKAGES:-}" ]; then read -r -a PACKAGES <<<"$LFM_LF_PACKAGES"; fi
VENV=${LFM_LF_VENV:-$HOME/.cache/lfm/venv-lf-$LF_VERSION}
PYTHON=${LFM_PYTHON:-python3}
PIP_OPTS=(--disable-pip-version-check --timeout 60 --retries 5)

log() { echo "setup-llamafactory: $*" >&2; }

venv_ok() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - "$LF_VERSION" "$TORCH_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
import llamafactory, torch, transformers, tokenizers, datasets, peft, trl  # noqa: F401
import jieba, nltk, rouge_chinese  # noqa: F401  (lfm eval)
assert llamafactory.__version__ == sys.argv[1], llamafactory.__version__
assert torch.__version__.split("+")[0] == sys.argv[2], torch.__version__
EOF
}

# Serialise concurrent runs on the same venv (CI jobs sharing a cache).
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENV.lock"
  flock 9
fi

if venv_ok; then
  log "reusing $VENV (llamafactory==$LF_VERSION, torch==$TORCH_VERSION, jieba, nltk, rouge-chinese)"
  echo "$VENV"
  exit 0
fi

# Python >= 3.11 is required by llamafactory 0.9.5.
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  log "ERROR: $PYTHON is missing or older than 3.11 (llamafactory $LF_VERSION needs >= 3.11)"
  exit 1
fi

# A venv that exists but whose interpreter no longer runs (e.g. Python was upgraded) is rebuilt.
if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
  if [ -f "$VENV/pyvenv.cfg" ]; then
    log "removing broken venv $VENV"
    rm -rf "$VENV"
  else
    log "ERROR: $VENV exists and is not a venv; refusing to touch it"
    exit 1
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$VENV"
fi

# Is the package index reachable? Fetch one tiny wheel, with a short timeout.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
if ! timeout 60 "$VENV/bin/python" -m pip download -q --no-deps --no-cache-dir --disable-pip-version-check \
     --timeout 15 --retries 1 -d "$probe_dir" "six==1.17.0" >/dev/null 2>&1; then
  echo "SKIPPED: LLaMA-Factory conformance (PyPI unreachable)" >&2
  exit 75
fi

log "installing ${PACKAGES[*]} into $VENV (this can take several minutes)"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install -q "${PIP_OPTS[@]}" ${LFM_PIP_EXTRA_ARGS:-} "${PACKAGES[@]}"

if ! venv_ok; then
  log "ERROR: install finished but 'import llamafactory, torch, jieba, nltk, rouge_chinese' (pinned versions) still fails:"
  "$VENV/bin/python" -c 'import llamafactory, torch; print(llamafactory.__version__, torch.__version__); import jieba, nltk, rouge_chinese' >&2 || true
  exit 1
fi
log "ready: $VENV"
echo "$VENV"
