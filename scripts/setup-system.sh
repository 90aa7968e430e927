#!/usr/bin/env bash
# Install the Debian packages Udsyn needs when they are missing (only as root; otherwise say what is missing).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
# The operations guide's files are checked by their own tools (tests/test_deploy.py).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)  # also the SAML test provider's test-only keys
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]} (run as root or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
