#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Generate ./configure from a git checkout (release tarballs ship it).
set -e
cd "$(dirname "$0")"
autoreconf --force --install --warnings=all
echo "Now run ./configure (see ./configure --help)."
