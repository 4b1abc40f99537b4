#!/usr/bin/env bash
# ensure-chromium.sh: make sure a Chromium that wasmbrowsertest and chromedp
# can find is on PATH; on Debian/Ubuntu install the distribution's `chromium`
# package with apt when none is (as root, or through passwordless sudo).
# Idempotent: does nothing when a browser is already there. Prints its path.
set -euo pipefail

# The names wasmbrowsertest (chromedp v0.10) looks for on PATH, in its order.
find_browser() {
	local b
	for b in chromium chromium-browser google-chrome google-chrome-stable headless-shell; do
		if command -v "$b" >/dev/null 2>&1; then
			command -v "$b"
			return 0
		fi
	done
	return 1
}

if find_browser; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: no chromium on PATH and no apt-get to install it; install Chromium or Chrome" >&2
	exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo=(sudo -n)
	else
		echo "ensure-chromium: no chromium on PATH; run as root or: sudo apt-get install -y chromium" >&2
		exit 1
	fi
fi
echo "ensure-chromium: installing chromium with apt (about 40 s, 160 MB)" >&2
"${sudo[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >&2
find_browser || { echo "ensure-chromium: chromium installed but not on PATH" >&2; exit 1; }
