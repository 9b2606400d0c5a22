#!/usr/bin/env bash
# One command to set up aligner_gui for use and development:
#   system libraries (PortAudio for sound, Qt's xcb plugin libraries, espeak-ng/sox for test speech),
#   then a virtual environment in .venv with the package installed in editable mode plus dev tools.
# Usage: bash packaging/setup.sh          (ALIGNER_SKIP_APT=1 skips the system packages)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libportaudio2 libsndfile1                                   # sound output, audio files
  libxcb-icccm4 libxcb-cursor0 libxcb-keysyms1 libxcb-image0  # what Qt's xcb plugin loads
  libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0
  libxcb-randr0 libxcb-sync1 libxcb-xfixes0 libxcb-render0 libxcb-shm0 libglib2.0-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3
  espeak-ng libespeak-ng1 sox wamerican                       # synthetic speech, demo model data
  g++                                                         # pyworld is built from source
  flite festival festvox-kallpc16k festvox-kdlpc16k           # training data only (phone demo
  festvox-us-slt-hts                                          #  model voices; Debian main)
)

if [[ "${ALIGNER_SKIP_APT:-0}" != 1 ]] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "setup: not root and no sudo; install these yourself: ${APT_PACKAGES[*]}" >&2
    fi
  fi
  if [[ $(id -u) -eq 0 || -n "$SUDO" ]]; then
    missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
      echo "setup: installing system packages: ${missing[*]}"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
elif [[ "${ALIGNER_SKIP_APT:-0}" != 1 ]]; then
  echo "setup: no apt-get here; install PortAudio (libportaudio2) and espeak-ng with your package manager." >&2
fi

PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
# The tested versions (torch 2.14.1 with torchaudio 2.11.0, PySide6 below 6.12) come from constraints.txt.
.venv/bin/python -m pip install --quiet -e ".[dev]" -c packaging/constraints.txt
echo "setup: done. Open the bundled sample with: .venv/bin/aligner-gui resources/sample.wav resources/sample.txt --model demo"
