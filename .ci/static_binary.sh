#!/usr/bin/env bash
# The binary a GPU server gets (README "Install"): .ci/install.sh builds it with
# --static-swift-stdlib and installs it with its completions into a temporary prefix; it must
# need no Swift library and run with an empty environment.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .ci/install.sh --deps-only; then
  echo "SKIPPED: static binary (libcurl4-openssl-dev / libxml2-dev could not be installed)"
  exit 0
fi
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lfm-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
.ci/install.sh "$prefix"
for f in bin/lfm share/bash-completion/completions/lfm share/zsh/site-functions/_lfm share/fish/vendor_completions.d/lfm.fish; do
  [ -s "$prefix/$f" ] || { echo "FAIL static binary: $prefix/$f missing" >&2; exit 1; }
done
echo "needs: $(ldd "$prefix/bin/lfm" | awk '{print $1}' | tr '\n' ' ')"
env -i "$prefix/bin/lfm" --version
env -i "$prefix/bin/lfm" validate docs/examples/support_alpaca.json
echo "ok   static binary: installed, no Swift libraries, runs with an empty environment"
