#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing: Chromium for the browser tests
# (Playwright drives /usr/bin/chromium and never downloads a browser of its own), a compiler
# and CMake for llama-cpp-python, which tests/install_llm_server.sh builds once, and the
# PostgreSQL server the editorial tests start in a temporary folder (tests/postgres.py).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 \
  || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "The tests need these Debian packages: ${missing[*]}." >&2
  echo "Install them as root, then run the tests again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} (Debian packages the tests need) …" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
