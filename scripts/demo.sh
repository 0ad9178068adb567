#!/usr/bin/env bash
# Quick start: installs what is missing, builds, creates the demo workspace (once) and serves it
# on http://localhost:8080. Safe to run again: the demo database is kept and a fresh API token is
# printed each time. Stop the server with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

db=demo/pipedeck.db
admin_email=admin@example.com
mkdir -p demo
if [ ! -f "$db" ]; then
  token_line=$(./build/pipedeck init --db "$db" --admin-name "Alex Admin" --admin-email "$admin_email" --demo | grep '^API token: ')
else
  token_line=$(./build/pipedeck token create --db "$db" --email "$admin_email" --name "quick start" | grep '^API token: ')
fi

# A rep of the demo team, to work the board and the agenda as a rep does.
rep_email=maya.patel@example.com
rep_token_line=$(./build/pipedeck token create --db "$db" --email "$rep_email" --name "quick start" | grep '^API token: ')

echo
echo "Pipedeck demo workspace: $db"
echo "Open http://localhost:8080 and sign in with one of these API tokens:"
echo "  admin ($admin_email):          ${token_line#API token: }"
echo "  rep Maya Patel ($rep_email): ${rep_token_line#API token: }"
echo "$token_line"
echo "Try: curl -H \"Authorization: Bearer ${token_line#API token: }\" http://localhost:8080/api/pipelines"
echo
exec ./build/pipedeck serve --db "$db" --port 8080 --bind 0.0.0.0
