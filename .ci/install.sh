#!/usr/bin/env bash
# Build lfm as one binary that needs only the system's libc, libstdc++ and libyaml (no Swift runtime:
# it runs on a GPU server without Swift) and install it with its shell completions. `lfm generate`
# also needs libcurl (libcurl4) at run time: it loads it with dlopen when it talks HTTP.
# Usage: .ci/install.sh [PREFIX]     default /usr/local; ~/.local needs no root
#        .ci/install.sh --deps-only  only install the missing build packages (apt)
# Env:   LFM_SCRATCH_PATH  build directory (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."

# Build packages: libyaml (all YAML). libcurl is not linked (dlopen'd by `lfm generate`), and
# neither FoundationNetworking nor FoundationXML is used, so no libcurl/libxml2 -dev packages.
missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists yaml-0.1 2>/dev/null || missing+=(libyaml-dev)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "+ $sudo apt-get install -y ${missing[*]}" | sed 's/+  /+ /'
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "${1:-}" = "--deps-only" ] && exit 0

PREFIX=${1:-/usr/local}
swift build -c release --static-swift-stdlib ${LFM_SCRATCH_PATH:+--scratch-path "$LFM_SCRATCH_PATH"} 2>&1 | tail -n 1
bin=$(swift build -c release --static-swift-stdlib ${LFM_SCRATCH_PATH:+--scratch-path "$LFM_SCRATCH_PATH"} --show-bin-path)/lfm
install -d "$PREFIX/bin" "$PREFIX/share/bash-completion/completions" \
  "$PREFIX/share/zsh/site-functions" "$PREFIX/share/fish/vendor_completions.d"
install -m 755 "$bin" "$PREFIX/bin/lfm"
"$PREFIX/bin/lfm" --generate-completion-script bash >"$PREFIX/share/bash-completion/completions/lfm"
"$PREFIX/bin/lfm" --generate-completion-script zsh >"$PREFIX/share/zsh/site-functions/_lfm"
"$PREFIX/bin/lfm" --generate-completion-script fish >"$PREFIX/share/fish/vendor_completions.d/lfm.fish"
echo "installed $PREFIX/bin/lfm $("$PREFIX/bin/lfm" --version) and its bash, zsh and fish completions"
# What the binary needs at run time: no libswift*, only system libraries; libcurl and libxml2 not
# at start-up (docs/performance.md, "Start-up").
if ldd "$PREFIX/bin/lfm" | grep -E 'libswift|libFoundation|libcurl|libxml2|not found'; then
  echo "error: $PREFIX/bin/lfm needs the libraries above" >&2
  exit 1
fi
