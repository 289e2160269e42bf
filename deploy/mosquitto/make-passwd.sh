#!/bin/sh
# Builds Mosquitto's password file from plain "user:password" lines (stdin or FILE), hashing them
# with mosquitto_passwd. Run inside the mosquitto image (docker-compose's mosquitto-init service).
set -eu
src=${1:-/dev/stdin}
out=${2:-/mosquitto/config/passwd}
grep -v '^#' "$src" | grep ':' > "$out.tmp"
mosquitto_passwd -U "$out.tmp"
mv "$out.tmp" "$out"
chmod 0700 "$out"
echo "wrote $(wc -l < "$out") accounts to $out"
