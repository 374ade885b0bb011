#!/usr/bin/env bash
# Packaging check (part of `bash run.sh test`): build the wheel, install it without extras
# into a throwaway venv outside the checkout, and use it from there.
#   - no jupyterlab, bokeh or dask comes with the core
#   - `qdkit info` reads a dataset; qdkit.catalog loads the packaged catalog
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m pip wheel --quiet --no-deps "$repo" -w "$work/dist" 2>&1 | grep -v "^WARNING: Location" || true
wheel=$(ls "$work"/dist/qdkit_dnp_sens-*.whl)
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | grep -v "^WARNING: Location" || true
cd "$work"   # outside any checkout
forbidden=$("$work/venv/bin/python" -m pip list --format=freeze | grep -i -E '^(jupyterlab|bokeh|dask|voila|ipywidgets)==' || true)
if [ -n "$forbidden" ]; then echo "wheel without extras installed: $forbidden" >&2; exit 1; fi
"$work/venv/bin/qdkit" info "$repo/data/real/dnplab_odnp_topspin_1H_0.35T/5" --json >/dev/null
"$work/venv/bin/python" - <<'PY'
import qdkit, qdkit.catalog as c
cat = c.load()
assert len(cat.experiments()) > 10, "packaged catalog is empty"
print(f"packaging check: wheel qdkit {qdkit.__version__} outside the checkout: qdkit info ok, "
      f"catalog {len(cat.experiments())} experiments, no jupyterlab/bokeh/dask installed")
PY
