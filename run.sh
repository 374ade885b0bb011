#!/usr/bin/env bash
# One entry point for people and CI. Installs what it needs on a fresh machine that has
# only Python, pip and apt, into ./.venv (never into your system Python).
#   bash run.sh lab     JupyterLab on the start notebook
#   bash run.sh app     the Voila explorer app
#   bash run.sh class [N]  the Voila app for a class of N (default 10): N kernels pre-heated
#   bash run.sh test    every test (packaging check, unit, paper, notebooks, browser)
#   bash run.sh docs    the documentation site, offline, into docs/_build/html
# QDKIT_SKIP_SETUP=1 skips the install step (the launch test uses it: tests install nothing).
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
venv="$here/.venv"

setup() {
    if [ "${QDKIT_SKIP_SETUP:-}" = 1 ] && [ -x "$venv/bin/python" ]; then return; fi
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -e ".[all]"
}

need_chromium() {
    if ! command -v chromium >/dev/null 2>&1; then
        echo "Installing Debian's chromium for the browser tests..."
        if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
        else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
    fi
}

case "${1:-}" in
    lab)
        setup
        root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)  # containers and CI run as root
        # No "get notified about Jupyter news?" pop-up and no update check (no calls out):
        # config/lab-overrides.json becomes a settings default of this venv's JupyterLab.
        mkdir -p "$venv/share/jupyter/lab/settings/overrides.d"
        cp config/lab-overrides.json "$venv/share/jupyter/lab/settings/overrides.d/qdkit.json"
        # The start notebook opens alone (JupyterLab's single-document view, /doc): the
        # explorer fits a 1400 px wide window; View > "Simple Interface" switches back.
        exec "$venv/bin/jupyter" lab --ServerApp.root_dir=. \
            --LabApp.default_url=/doc/tree/notebooks/00_start_here.ipynb \
            --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
            "${root_flag[@]}" "${@:2}"
        ;;
    app)
        setup
        exec "$venv/bin/voila" widgets/app/explorer.ipynb "${@:2}"
        ;;
    class)
        # A class arriving at once: N kernels have run the app before anyone comes (Voila's
        # pre-heated pool); each page then only attaches to one. Every kernel taken is
        # replaced in the background. Students on other machines reach it on this
        # machine's address: add --Voila.ip=0.0.0.0 (and --port=8866 or another).
        setup
        n=${2:-10}
        case "$n" in ''|*[!0-9]*) echo "usage: bash run.sh class [N students]" >&2; exit 2;; esac
        # Kernels talk over Unix sockets: N kernels started at once cannot race for a TCP
        # port ("Address already in use" lost a pool kernel at N = 20 over TCP).
        exec "$venv/bin/voila" widgets/app/explorer.ipynb --preheat_kernel=True \
            --pool_size="$n" --KernelManager.transport=ipc "${@:3}"
        ;;
    test)
        setup
        need_chromium
        bash .ci/check_wheel.sh "$venv/bin/python"
        exec "$venv/bin/python" -m pytest "${@:2}"
        ;;
    docs)
        setup
        exec "$venv/bin/python" -m sphinx -b html -W --keep-going docs docs/_build/html "${@:2}"
        ;;
    *)
        echo "usage: bash run.sh lab|app|class [N]|test|docs" >&2
        exit 2
        ;;
esac
