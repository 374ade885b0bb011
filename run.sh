#!/usr/bin/env bash
# One entry point for people and CI. Installs what it needs on a fresh machine that has
# only Python, pip and apt, into ./.venv (never into your system Python).
#   bash run.sh lab     JupyterLab on the start notebook
#   bash run.sh app     the Voila explorer app
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
        exec "$venv/bin/jupyter" lab notebooks/00_start_here.ipynb --ServerApp.root_dir=. "${root_flag[@]}" "${@:2}"
        ;;
    app)
        setup
        exec "$venv/bin/voila" widgets/app/explorer.ipynb "${@:2}"
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
        echo "usage: bash run.sh lab|app|test|docs" >&2
        exit 2
        ;;
esac
