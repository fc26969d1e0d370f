#!/usr/bin/env bash
# System packages the book and its grader need (Debian/Ubuntu): Debian's Chromium,
# which tests/test_browser.py drives through playwright (no browser download), a font
# with Chinese glyphs for the glossary's 中文 column in its screenshots, and bubblewrap
# (bwrap), the sandbox course-grade runs students' code in (gradetool.sandbox; without it
# grading warns and runs unsandboxed, or refuses with --sandbox require).
# Idempotent and silent when everything is there. As root it installs what is missing
# with apt-get; otherwise it prints the command to run and exits 0 (the browser and
# sandbox tests then fail or skip and say why).
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v bwrap > /dev/null || missing+=(bubblewrap)
dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q "ok installed" ||
    missing+=(fonts-wqy-microhei)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get > /dev/null; then
    echo "setup_system: missing ${missing[*]}; install them with your system's package manager" \
        "(tests/test_browser.py expects Chromium at /usr/bin/chromium; course-grade needs" \
        "bwrap on PATH)." >&2
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "setup_system: missing ${missing[*]}. Install them as root:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 0
fi

echo "setup_system: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" > /dev/null
