#!/usr/bin/env bash
# Installs what EventEngine.Actors needs on a fresh Debian machine with the .NET 10 SDK:
# Debian's python3-zmq, python3-msgpack, python3-pytest (for /usr/bin/python3), then NuGet packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import zmq, msgpack, pytest, setuptools, pip, venv' 2>/dev/null; then
  echo "setup: installing python3-zmq python3-msgpack python3-pytest python3-setuptools python3-pip python3-venv from Debian" >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zmq python3-msgpack python3-pytest python3-setuptools python3-pip python3-venv >/dev/null
fi

# Debian's chromium for the dashboard's browser test (Playwright drives it; Playwright's own browser download is never run)
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium from Debian" >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# --- pyevents type check (issue 14): Debian's mypy for /usr/bin/python3 ---
if ! /usr/bin/python3 -m mypy --version >/dev/null 2>&1; then
  echo "setup: installing python3-mypy from Debian" >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-mypy >/dev/null
fi
# --- end pyevents type check ---

dotnet restore EventEngine.Actors.sln --verbosity quiet
