#!/usr/bin/env bash
# Regenerates the README's sample terminal session from a real run: a fresh clone of this repository's
# HEAD, `npm install && npm start` under a terminal (so the logs are the pretty ones a person sees),
# stopped with Ctrl-C once the service is ready, then `npm start` again on the same data.
#
#   scripts/readme-transcript.sh            print the transcript
#   scripts/readme-transcript.sh --write    also put it into README.md, between the transcript markers
#
# Uses the default ports (8080, 8081, 54329) as a newcomer would; set PORT, GRPC_PORT or
# EMBEDDED_POSTGRES_PORT to move them. Needs git, npm and util-linux's `script`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
CLONE="$WORK/auth-factors"
OUT="$WORK/transcript.txt"
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK" # as an ordinary clone location: mktemp's 0700 would add a line about making it traversable

git clone --quiet "$ROOT" "$CLONE"
cd "$CLONE"

# Runs "$1" under a terminal until its output contains "$2" (or it exits), then presses Ctrl-C (no "$2": until it exits);
# appends the screen to $OUT without colours and prints how long it took to become ready.
run_in_terminal() {
  local command="$1" ready="$2" log="$WORK/session.log"
  : >"$log"
  local started
  started=$(date +%s.%N)
  script -qfec "$command" "$log" >/dev/null 2>&1 &
  local session=$!
  until { [ -n "$ready" ] && grep -q "$ready" "$log" 2>/dev/null; } || ! kill -0 "$session" 2>/dev/null; do sleep 0.1; done
  local seconds
  seconds=$(echo "$(date +%s.%N) - $started" | bc)
  if [ -n "$ready" ] && kill -0 "$session" 2>/dev/null; then
    sleep 0.5
    # Ctrl-C: SIGINT to the terminal's foreground process group (script's child leads it).
    kill -INT -- "-$(pgrep -P "$session" | head -1)" 2>/dev/null || true
  fi
  wait "$session" || true
  {
    echo "\$ $command"
    # Without colours, carriage returns and npm's progress spinner; the clone's folder shown as ~/auth-factors.
    CLONE="$CLONE" perl -CSD -ne 's/\e\[[0-9;?]*[A-Za-z]//g; s/\r//g; s/[\x{2800}-\x{28FF}]//g; s/\Q$ENV{CLONE}\E/~\/auth-factors/g; print unless /^Script (started|done)/ || /^\s*$/' "$log"
    echo
  } >>"$OUT"
  printf 'ready after %.1f s: %s\n' "$seconds" "$command" >&2
}

run_in_terminal "npm install" ""
run_in_terminal "npm start" "Any user: npm run"
run_in_terminal "npm start" "Any user: npm run"

cat "$OUT"
if [ "${1:-}" = "--write" ]; then
  node - "$ROOT/README.md" "$OUT" <<'EOF'
const { readFileSync, writeFileSync } = require('node:fs');
const [readme, transcript] = process.argv.slice(2);
const text = readFileSync(readme, 'utf8');
const start = '<!-- transcript:start (scripts/readme-transcript.sh --write) -->';
const end = '<!-- transcript:end -->';
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} markers`);
const block = `${start}\n\n\`\`\`console\n${readFileSync(transcript, 'utf8').trimEnd()}\n\`\`\`\n\n`;
writeFileSync(readme, text.slice(0, from) + block + text.slice(to));
console.error('README.md updated');
EOF
fi
