# Sourced by bench/scale and bench/retention after scripts/lib.sh: the kept scale database and the
# settings every smshub started on it shares. The master key must be the one its provider credentials
# were sealed under, and the admin token the one its tenants were made with.
db=smshub_scale results="$SMSHUB_ROOT/bench/results"
# Per cluster: bench/run (BENCH_QUERIES=1) keeps its own scale database on its own cluster.
keys_file="$results/scale-keys-$SMSHUB_PG_PORT.txt"
super() { psql -X -q -At -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$SMSHUB_PG_PORT/$db" "$@"; }

export DATABASE_URL="postgresql://smshub_app@127.0.0.1:$SMSHUB_PG_PORT/$db"
export MIGRATION_DATABASE_URL="postgresql://smshub_owner@127.0.0.1:$SMSHUB_PG_PORT/$db"
export SMSHUB_ADMIN_TOKEN="scale-admin-token-0123456789abcdef0123456789"
export SMSHUB_MASTER_KEY="scale:$(printf 'scale-master-key-0123456789abcde' | base64 -w0)"
export SMSHUB_HOST=127.0.0.1 SMSHUB_PORT="${SCALE_PORT:-18080}" LOG_LEVEL=error SMSHUB_DB_POOL_SIZE=8
base="http://127.0.0.1:$SMSHUB_PORT"

# The path of a new Huawei status callback URL for account $3 at $1 (API key $2): the token is shown
# only when made, so each run rotates it.
huawei_status_path() {
  curl -sf -X POST "$1/v1/provider-accounts/$3/callback-token/rotate" -H "Authorization: Bearer $2" \
    | json '["callback_urls"]["status"]' | python3 -c "import sys,urllib.parse; print(urllib.parse.urlparse(sys.stdin.read().strip()).path)"
}
