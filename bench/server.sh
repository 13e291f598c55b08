# Sourced by the bench scripts that start Tessera.Server processes: a scratch directory, removed on exit together with
# the server last started ($server), and the wait for a starting server's address.
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

# listening_url LOG: waits (up to 20 s) until the server logging to LOG prints its address, and prints it.
listening_url() {
  local url=
  for _ in $(seq 1 100); do
    url=$(sed -nE 's/.*Now listening on: (http:\/\/127\.0\.0\.1:[0-9]+).*/\1/p' "$1" | head -1)
    [ -n "$url" ] && break
    sleep 0.2
  done
  echo "$url"
}
