#!/bin/sh
# Checks the Debian packages listed in deploy/debian-packages.txt (`make install` runs this first).
# Missing packages are installed when this runs as root on a machine with apt-get; otherwise it
# stops at once, before anything else is set up, with the exact command to run.
# SYSTEM_PACKAGES=skip leaves the check out (a machine that provides them another way).
set -eu
LIST="${1:-$(dirname "$0")/debian-packages.txt}"

[ "${SYSTEM_PACKAGES:-check}" = "skip" ] && exit 0

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LIST" | grep -v '^$' | tr '\n' ' ')

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system packages: this is not a Debian system; install the equivalents of: $packages" >&2
  echo "then run again with SYSTEM_PACKAGES=skip" >&2
  exit 1
fi

missing=""
for pkg in $packages; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing="$missing $pkg"
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

command_line="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system packages: installing $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
  exit 0
fi

echo "system packages missing: $missing" >&2
echo "run as root:  $command_line" >&2
[ "$(id -u)" = "0" ] || echo "(for example: sudo sh -c '$command_line')" >&2
exit 1
