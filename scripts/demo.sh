#!/usr/bin/env bash
# Quick start: installs what is missing, builds, creates the demo workspace (once) and serves it
# on http://localhost:8080. Safe to run again: the demo database is kept, and each run prints a
# fresh password for the admin and for a rep (which signs them out of the browsers they were
# signed in on) and a fresh API token. Stop the server with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

db=demo/pipedeck.db
admin_email=admin@example.com
mkdir -p demo
if [ ! -f "$db" ]; then
  init_output=$(./build/pipedeck init --db "$db" --admin-name "Alex Admin" --admin-email "$admin_email" --demo)
  password_line=$(grep '^Password: ' <<<"$init_output")
  token_line=$(grep '^API token: ' <<<"$init_output")
else
  password_line=$(./build/pipedeck user password --db "$db" --email "$admin_email" | grep '^Password: ')
  token_line=$(./build/pipedeck token create --db "$db" --email "$admin_email" --name "quick start" | grep '^API token: ')
fi

# A rep of the demo team, to work the board and the agenda as a rep does.
rep_email=maya.patel@example.com
rep_password_line=$(./build/pipedeck user password --db "$db" --email "$rep_email" | grep '^Password: ')

echo
echo "Pipedeck demo workspace: $db"
echo "Open http://localhost:8080 and sign in with one of these:"
printf '  %-16s %-24s password %s\n' "admin:" "$admin_email" "${password_line#Password: }" \
  "rep Maya Patel:" "$rep_email" "${rep_password_line#Password: }"
echo "For scripts, the admin's $token_line"
echo "Try: curl -H \"Authorization: Bearer ${token_line#API token: }\" http://localhost:8080/api/pipelines"
echo
exec ./build/pipedeck serve --db "$db" --port 8080 --bind 0.0.0.0
