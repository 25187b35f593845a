#!/usr/bin/env bash
# The SMTP wire ceiling on this machine: postfix smtp-source into smtp-sink, 45 KB messages.
# Usage: bash bench/smtp-ceiling.sh [messages=20000] [sessions=20]
set -euo pipefail
pf=$(bash "$(dirname "$0")/postfix.sh")
export LD_LIBRARY_PATH="$pf/usr/lib/postfix"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$pf/usr/sbin/smtp-sink" -u nobody 127.0.0.1:"$port" 1024 & sink=$!
trap 'kill $sink 2>/dev/null' EXIT
sleep 0.5
n=${1:-20000}; s=${2:-20}
start=$(date +%s.%N)
"$pf/usr/sbin/smtp-source" -s "$s" -l 45000 -m "$n" -f bench@papermail.test -t sink@papermail.test 127.0.0.1:"$port" >/dev/null
end=$(date +%s.%N)
node -e "const t=$end-$start; console.log('smtp-source → smtp-sink: ${n} messages of 45 KB in ' + t.toFixed(2) + ' s = ' + Math.round(${n}/t) + ' msg/s (${s} sessions)')"
