# Sourced by the bench/load scripts: a temporary work folder, removed at exit
# together with the server the script started (SERVER_PID, stopped by PID).
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
