#!/usr/bin/env bash
# Randomized convergence of bidirectional sync, both remote kinds: rounds of random inserts,
# updates, soft and hard deletes and same-row edits on both sides, a run after each. A model of
# both sides predicts every round: after it both sides hold exactly the predicted rows, the run
# logged exactly the predicted conflicts, and each conflict's winner is the one its strategy
# promises (latest_wins, cloud_wins, local_wins, in turn). Seeded and reproducible:
#   BERQENAS_RANDOM_SEED (default 20261204), BERQENAS_RANDOM_ROUNDS (default 40 per kind; CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
. test/lib/sync_pair.sh
. test/lib/tds_pair.sh
cleanup() { tds_cleanup; cluster_cleanup; }
trap cleanup EXIT

start_sync_pair
start_tds_server

cloud -c "CREATE EXTENSION berqenas" >/dev/null
onprem -c "CREATE SCHEMA erp_pg; CREATE TABLE erp_pg.items (id int PRIMARY KEY, color text, size int)" >/dev/null
printf "CREATE TABLE items (id INT PRIMARY KEY, color NVARCHAR(20), size INT)\ngo\n" | tsql_batch >/dev/null
for db in pgerp mserp; do
    if [ $db = pgerp ]; then
        cloud -c "SELECT berqenas.register_remote_database('pgerp', 'postgresql', '127.0.0.1', $onprem_PORT, 'postgres', 'postgres', 'postgres', 'erp_pg')" >/dev/null
    else
        cloud -c "SELECT berqenas.register_remote_database('mserp', 'mssql', '127.0.0.1', $TDS_PORT, 'postgres', 'postgres', 'postgres', 'dbo')" >/dev/null
    fi
    cloud -c "SELECT berqenas.prepare_table('$db', 'items')" >/dev/null
    cloud -c "SELECT berqenas.configure_sync('$db', 'bidirectional', ARRAY['items'])" >/dev/null
done

python3 - "$cloud_PORT" "$onprem_PORT" "${BERQENAS_RANDOM_SEED:-20261204}" "${BERQENAS_RANDOM_ROUNDS:-40}" <<'PY'
import json, random, subprocess, sys, time

cloud_port, onprem_port, seed, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def psql(port, sql):
    r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres", "-At",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"FAILED: psql: {r.stderr.strip()}\n{sql}")
    return r.stdout.strip()

def rows(port, table):
    out = psql(port, f"SELECT id, coalesce(color, '-'), coalesce(size::text, '-'), is_deleted FROM {table} ORDER BY id")
    result = {}
    for line in filter(None, out.split("\n")):
        i, color, size, deleted = line.split("|")
        result[int(i)] = (color, size, deleted)
    return result

def lit(v):
    return "NULL" if v is None else ("'" + v + "'" if isinstance(v, str) else str(v))

COLORS = ["red", "green", "blue"]

def random_ops(rng, side_rows, keys_pool):
    """Random statements for one side, applied to side_rows (the model of that side)."""
    stmts = []
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        present = sorted(side_rows)
        if op < 0.3 or not present:
            k = rng.choice(keys_pool)
            if k in side_rows:
                continue
            color, size = rng.choice(COLORS), rng.randint(1, 3)
            stmts.append(f"INSERT INTO {{t}} (id, color, size) VALUES ({k}, {lit(color)}, {size})")
            side_rows[k] = (color, str(size), "f")
        elif op < 0.7:
            k = rng.choice(present)
            color = rng.choice(COLORS)
            stmts.append(f"UPDATE {{t}} SET color = {lit(color)} WHERE id = {k}")
            side_rows[k] = (color,) + side_rows[k][1:]
        elif op < 0.85:
            k = rng.choice(present)
            stmts.append(f"UPDATE {{t}} SET is_deleted = true WHERE id = {k}")
            side_rows[k] = side_rows[k][:2] + ("t",)
        else:
            k = rng.choice(present)
            stmts.append(f"DELETE FROM {{t}} WHERE id = {k}")
            del side_rows[k]
    return stmts

strategies = ["latest_wins", "cloud_wins", "local_wins"]
total_conflicts = 0
for db, remote_table in (("pgerp", "erp_pg.items"), ("mserp", "public.items")):
    rng = random.Random(seed)
    cloud_table = f"remote_{db}.items"
    out = json.loads(psql(cloud_port, f"SELECT berqenas.bidirectional_sync('{db}')"))
    base = rows(cloud_port, cloud_table)
    assert base == rows(onprem_port, remote_table), "first copy differs"
    keys_pool = list(range(1, 25))
    conflicts_seen = 0
    for n in range(rounds):
        strategy = strategies[n % len(strategies)]
        cloud_model, remote_model = dict(base), dict(base)
        cloud_stmts = random_ops(rng, cloud_model, keys_pool)
        remote_stmts = random_ops(rng, remote_model, keys_pool)
        # Same-row edits on purpose: both sides write the same key (sometimes the same value).
        if rng.random() < 0.5:
            both = sorted(set(cloud_model) & set(remote_model))
            if both:
                k = rng.choice(both)
                color = rng.choice(COLORS)
                for stmts, model in ((cloud_stmts, cloud_model), (remote_stmts, remote_model)):
                    stmts.append(f"UPDATE {{t}} SET color = {lit(color)} WHERE id = {k}")
                    model[k] = (color,) + model[k][1:]
        cloud_first = rng.random() < 0.5
        order = [("cloud", cloud_stmts), ("remote", remote_stmts)]
        if not cloud_first:
            order.reverse()
        for side, stmts in order:
            if stmts:
                port, table = (cloud_port, cloud_table) if side == "cloud" else (onprem_port, remote_table)
                psql(port, "; ".join(s.format(t=table) for s in stmts))
                time.sleep(0.02)
        # The model's prediction.
        expected, conflicts = {}, {}
        remote_deleted = {k for k in base if k not in remote_model}
        for k in set(base) | set(cloud_model) | set(remote_model):
            b, c, r = base.get(k), cloud_model.get(k), remote_model.get(k)
            if c == r:
                result = c
            elif c == b:
                result = r
            elif r == b:
                result = c
            else:
                if strategy == "cloud_wins":
                    winner = "cloud"
                elif strategy == "local_wins":
                    winner = "local"
                elif k in remote_deleted:
                    winner = "local"        # a hard delete on premise counts from when the run saw it
                else:
                    winner = "local" if cloud_first else "cloud"
                conflicts[k] = winner
                result = c if winner == "cloud" else r
            if result is not None:
                expected[k] = result
        out = json.loads(psql(cloud_port, f"SELECT berqenas.bidirectional_sync('{db}', conflict_strategy => '{strategy}')"))
        got_cloud, got_remote = rows(cloud_port, cloud_table), rows(onprem_port, remote_table)
        where = f"{db} round {n} ({strategy}, {'cloud' if cloud_first else 'remote'} first; seed {seed})"
        if got_cloud != got_remote:
            raise SystemExit(f"FAILED: {where}: sides differ\n cloud  {got_cloud}\n remote {got_remote}")
        if got_cloud != expected:
            raise SystemExit(f"FAILED: {where}: not the predicted rows\n got      {got_cloud}\n expected {expected}\n base {base}\n"
                             f" cloud ops {cloud_stmts}\n remote ops {remote_stmts}")
        detected = out["results"]["items"]["conflicts_detected"]
        if detected != len(conflicts):
            raise SystemExit(f"FAILED: {where}: {detected} conflicts detected, predicted {len(conflicts)} {conflicts}")
        if conflicts:
            logged = psql(cloud_port, f"SELECT string_agg((primary_key ->> 'id') || '=' || winner, ',' ORDER BY (primary_key ->> 'id')::int) "
                                      f"FROM berqenas.sync_conflicts c JOIN berqenas.sync_jobs j ON j.id = c.sync_job_id "
                                      f"WHERE j.sync_id = '{out['sync_id']}'")
            want = ",".join(f"{k}={conflicts[k]}" for k in sorted(conflicts))
            if logged != want:
                raise SystemExit(f"FAILED: {where}: conflicts logged {logged}, predicted {want}")
        conflicts_seen += len(conflicts)
        base = expected
    again = json.loads(psql(cloud_port, f"SELECT berqenas.bidirectional_sync('{db}')"))
    if again["total_synced"] != 0:
        raise SystemExit(f"FAILED: {db}: a run after the last round still wrote {again['total_synced']} rows (echo)")
    print(f"  ok: {db}: {rounds} rounds converged, {conflicts_seen} conflicts as predicted (seed {seed})")
    total_conflicts += conflicts_seen
if total_conflicts == 0:
    raise SystemExit("FAILED: no round produced a conflict: the test proves nothing about strategies")
PY
echo "sync_bidirectional_random: all checks passed"
