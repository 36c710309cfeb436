#!/usr/bin/env bash
# Starts Keycloak 26.7.3 on this machine for the sign-in benchmark (BENCHMARKS.md, "Sign-in (issue 9)"):
# downloads the distribution from Maven Central into $KC_HOME_DIR (never into the repository), runs it with
# the JDK in $JAVA_HOME on a PostgreSQL cluster of the operating system's own server (Debian's postgresql)
# under the same directory, and imports a realm equivalent to Tilldela's sign-in client: one confidential
# client (code flow with S256 PKCE, refresh tokens rotated with reuse detection — revokeRefreshToken,
# maxReuse 0 — client credentials), access tokens 10 min, refresh tokens (the session) 8 h, scope openid, and
# $KC_USERS users (default 64). Prints the settings the benchmark command takes, then waits until Keycloak answers.
#
#   bench/keycloak.sh start     # download (once), make the database, start; prints the --keycloak options
#   bench/keycloak.sh stop      # stops Keycloak and its PostgreSQL cluster
set -euo pipefail
VERSION=26.7.3
DIR=${KC_HOME_DIR:-/tmp/tilldela-bench-keycloak}
PORT=${KC_PORT:-8180}
PG_PORT=${KC_PG_PORT:-54329}
SECRET=${KC_CLIENT_SECRET:-bench-secret-not-for-production-0123456789}
PASSWORD=${KC_USER_PASSWORD:-sju glada elefanter}
USERS=${KC_USERS:-64}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
KC=$DIR/keycloak-$VERSION
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop() {
  if [ -f "$DIR/keycloak.pid" ]; then kill "$(cat "$DIR/keycloak.pid")" 2>/dev/null || true; rm -f "$DIR/keycloak.pid"; sleep 3; fi
  if [ -d "$DIR/pg" ]; then as_postgres "$PGBIN/pg_ctl" -D "$DIR/pg" -m fast stop >/dev/null 2>&1 || true; fi
}

start() {
  mkdir -p "$DIR"
  if [ ! -d "$KC" ]; then
    echo "downloading org.keycloak:keycloak-quarkus-dist:$VERSION from Maven Central" >&2
    curl -sSfL -o "$DIR/kc.tar.gz" "https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$VERSION/keycloak-quarkus-dist-$VERSION.tar.gz"
    tar -xzf "$DIR/kc.tar.gz" -C "$DIR" && rm "$DIR/kc.tar.gz"
  fi
  if [ ! -d "$DIR/pg" ]; then
    [ -x "$PGBIN/initdb" ] || { echo "needs the operating system's PostgreSQL: apt-get install -y postgresql" >&2; exit 1; }
    mkdir -p "$DIR/pg" "$DIR/pgsock"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg" "$DIR/pgsock"
    as_postgres "$PGBIN/initdb" -D "$DIR/pg" -U postgres -E UTF8 --auth=trust --no-instructions >/dev/null
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pgsock/pg.log" -w -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR/pgsock -c max_connections=200" start >/dev/null
  # a fresh database each start, as the benchmark gives Tilldela: the realm below is imported anew, and no
  # sessions or tokens of an earlier run are left
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "drop database if exists keycloak" \
    -c "create database keycloak"
  # USERS pupils (elev1 … elevN), like the benchmark's distinct Tilldela pupils (--pupils)
  users=""
  for i in $(seq 1 "$USERS"); do
    users="$users${users:+,}
    {\"username\": \"elev$i\", \"enabled\": true, \"firstName\": \"Elev\", \"lastName\": \"Nummer $i\", \"email\": \"elev$i@skola.example\",
     \"emailVerified\": true, \"credentials\": [{\"type\": \"password\", \"value\": \"$PASSWORD\", \"temporary\": false}]}"
  done

  mkdir -p "$KC/data/import"
  cat > "$KC/data/import/bench-realm.json" <<JSON
{
  "realm": "bench", "enabled": true,
  "accessTokenLifespan": 600, "accessCodeLifespan": 300, "accessCodeLifespanLogin": 1800,
  "ssoSessionIdleTimeout": 28800, "ssoSessionMaxLifespan": 28800,
  "revokeRefreshToken": true, "refreshTokenMaxReuse": 0,
  "defaultSignatureAlgorithm": "RS256",
  "bruteForceProtected": true,
  "clients": [{
    "clientId": "bench", "name": "Digital matematik", "enabled": true, "protocol": "openid-connect",
    "publicClient": false, "clientAuthenticatorType": "client-secret", "secret": "$SECRET",
    "redirectUris": ["https://matematik.example/callback"],
    "standardFlowEnabled": true, "directAccessGrantsEnabled": true, "serviceAccountsEnabled": true,
    "implicitFlowEnabled": false, "consentRequired": false, "fullScopeAllowed": false,
    "attributes": {"pkce.code.challenge.method": "S256", "use.refresh.tokens": "true"}
  }],
  "users": [$users
  ]
}
JSON
  if [ ! -f "$DIR/built" ]; then
    "$KC/bin/kc.sh" build --db=postgres --cache=local --health-enabled=true >"$DIR/build.log" 2>&1
    touch "$DIR/built"
  fi
  KC_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/keycloak" KC_DB_USERNAME=postgres KC_DB_PASSWORD=unused \
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$(head -c 18 /dev/urandom | base64)" \
    nohup "$KC/bin/kc.sh" start --optimized --http-enabled=true --http-port="$PORT" --hostname-strict=false --import-realm \
      --log-level=warn >"$DIR/keycloak.log" 2>&1 &
  echo $! > "$DIR/keycloak.pid"
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$PORT/realms/bench/.well-known/openid-configuration" >/dev/null; then break; fi
    sleep 1
  done
  curl -sf "http://127.0.0.1:$PORT/realms/bench/.well-known/openid-configuration" >/dev/null || { echo "Keycloak did not start; see $DIR/keycloak.log" >&2; exit 1; }
  echo "--keycloak=http://127.0.0.1:$PORT/realms/bench --keycloak-client=bench --keycloak-secret=$SECRET --keycloak-users=elev (elev1 … elev$USERS)"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
