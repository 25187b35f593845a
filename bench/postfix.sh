#!/usr/bin/env bash
# Unpacks postfix's smtp-sink and smtp-source into bench/.postfix without installing the postfix daemon.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/.postfix"
if [ -x "$dir/usr/sbin/smtp-sink" ]; then echo "$dir"; exit 0; fi
tmp=$(mktemp -d)
# A fresh machine may have no package lists yet: fetch them once and try again.
(cd "$tmp" && { apt-get download postfix >/dev/null 2>&1 || { apt-get update -qq && apt-get download postfix >/dev/null; }; })
dpkg -x "$tmp"/postfix_*.deb "$dir"
rm -rf "$tmp"
echo "$dir"
