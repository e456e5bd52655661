#!/usr/bin/env bash
# Creates (once) the Python virtualenv with TensorFlow/Keras used to generate reference values
# and to run the Keras side of the benchmarks. Prints the path of its python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNET_KERAS_VENV:-$root/.venv-keras}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import tensorflow' >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  # No retries: an unreachable default index would otherwise cost a back-off per package.
  PIP_RETRIES="${PIP_RETRIES:-0}" "$venv/bin/python" -m pip install --quiet tensorflow-cpu==2.21.0 pillow >&2
fi
echo "$venv/bin/python"
