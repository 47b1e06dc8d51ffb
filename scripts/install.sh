#!/usr/bin/env bash
# Install what Pressroom needs on Debian 12 with Python 3.11: the system libraries
# WeasyPrint and the checks use and the font packages every face is cut from (from apt),
# then Pressroom with its test tools (from PyPI).
#   --font-sources  accepted for older instructions; the font packages are always
#                   installed now, since a build cuts rare characters from them.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint's text layout
  libharfbuzz-subset0                 # fast font subsetting in WeasyPrint
  poppler-utils                       # pdftotext and pdftoppm, for checking pages by hand
  ghostscript                         # the press checks' independent reading: inks, plates
  default-jre-headless                # EPUBCheck
  chromium                            # DAISY Ace runs the e-book's pages in it
  # The faces (fonts/README.md): Noto Serif and Sans CJK (SC, TC, HK), LXGW WenKai,
  # TW-Kai (Traditional Kai) and Hanazono Mincho (the last resort for rare characters).
  fonts-noto-cjk fonts-lxgw-wenkai fonts-cns11643-kai fonts-hanazono
)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

sudo=""
[[ "$(id -u)" -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

python3 -m pip install --quiet --editable ".[test]"
# Pressroom's own bytecode, which an editable install does not write: where
# PYTHONDONTWRITEBYTECODE is set (as in many containers) every build would otherwise
# compile the package anew, 0.2 s of each (bytecode older than its source is not used).
python3 -m compileall -q pressroom tasks.py

# DAISY Ace, the EPUB accessibility checker, from the npm registry at the version in
# package-lock.json; it drives Debian's Chromium rather than downloading a browser.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
