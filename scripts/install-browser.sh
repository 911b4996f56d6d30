#!/bin/sh
# Install what the console's browser tests and screenshots need (idempotent):
#   * Debian's Chromium and its driver (/usr/bin/chromium), driven by Python Playwright;
#   * a Korean font (fonts-nanum), so Korean names render in the screenshots.
# Run as root, or with sudo when it is there. apt-get update runs only when an install fails
# first. Never fails: without a browser the browser tests skip, with a warning here.
set -u

missing=""
[ -x /usr/bin/chromium ] || missing="chromium chromium-driver"
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; then
    :
else
    missing="$missing fonts-nanum"
fi
missing=$(echo $missing)
if [ -z "$missing" ]; then
    echo "install-browser: Chromium ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)) and a Korean font are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "install-browser: WARNING: cannot install $missing (not root, no sudo): the browser tests will skip" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: WARNING: no apt-get to install $missing: the browser tests will skip" >&2
    exit 0
fi

install() {
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends "$@"
}

echo "install-browser: installing $missing"
# shellcheck disable=SC2086  # the package names are words
if install $missing >/tmp/install-browser.log 2>&1 \
   || { $as_root apt-get update -q >>/tmp/install-browser.log 2>&1 && install $missing >>/tmp/install-browser.log 2>&1; }; then
    echo "install-browser: installed $missing"
else
    echo "install-browser: WARNING: apt-get could not install $missing (see /tmp/install-browser.log): the browser tests will skip" >&2
fi
exit 0
