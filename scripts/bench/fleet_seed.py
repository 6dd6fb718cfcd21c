"""Stores one EC2 backend with N machines straight into a stopped
Overcast's SQLite database, for scripts/bench/fleet_page.sh. The backend was
polled just now and polls once a day, so the server's poller leaves its
machines alone. Columns this script does not know (later migrations) get
their type's zero value."""
import json
import sqlite3
import sys
import time

db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
now_ms = int(time.time() * 1000)


def insert(table, known, rows):
    cols = con.execute(f"PRAGMA table_info({table})").fetchall()
    names = [c[1] for c in cols]
    filler = {}
    for _, name, kind, notnull, default, _ in cols:
        if name not in known and notnull and default is None:
            filler[name] = 0 if "INT" in kind.upper() else ""
    # Columns with a default are left to it.
    names = [n for n in names if n in known or n in filler]
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    con.executemany(sql, ([{**filler, **r}.get(c) for c in names] for r in rows))


backend = {
    "id": "bench-ec2", "title": "Bench EC2", "provider": "ec2_eu_west", "region": None,
    "apikey": None, "apiurl": None, "config": "{}", "secret_sealed": None, "enabled": 1,
    "state": "online", "state_reason": None, "poll_interval": 86_400_000,
    "polled_at": now_ms, "created_at": now_ms,
}
insert("backends", backend, [backend])
states = ["running"] * 17 + ["stopped", "pending", "error"]
sizes = ["t3.micro", "t3.small", "m5.large", "c5.xlarge"]
machines = []
for i in range(n):
    machines.append({
        "backend_id": "bench-ec2", "id": f"i-{i:017x}", "name": f"web-{i:05}",
        "state": states[i % len(states)],
        "public_ips": json.dumps([f"54.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"]),
        "private_ips": json.dumps([f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"]),
        "ssh_port": 22,
        "extra": json.dumps({
            "size": sizes[i % len(sizes)], "image": "ami-0abcdef1234567890",
            "location": f"eu-west-1{'abc'[i % 3]}", "tags": [f"env={'prod' if i % 2 else 'dev'}", f"team=t{i % 7}"],
            "provider": {},
        }),
        "seen_at": now_ms, "first_seen": now_ms - i * 60_000,
    })
insert("machines", machines[0], machines)
con.commit()
print(f"stored {n} machines", file=sys.stderr)
