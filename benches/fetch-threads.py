#!/usr/bin/env python3
"""How busy omroep keeps the cores during a command (used for the fetch benchmark).

Runs the command, reads the state of each of its threads from /proc every 5 ms, and
prints: the share of samples with 0, 1, 2, … threads wanting a core (state R), the
share of time the main thread (the store's writer during `ingest`) spent running,
sleeping, or waiting for the disk (D), each thread's CPU time, and a timeline per half
second. Fewer than 2 threads wanting a core on a 2-core machine means a core that
omroep left idle, whatever else the machine is doing.

With WAL=path/to/store.sqlite-wal in the environment it also samples the size of the
store's WAL file, and prints its largest size and the largest in each half second.

Usage (in a site whose sources a bench-server serves):
    benches/fetch-threads.py path/to/omroep ingest --json
    WAL=.omroep/store.sqlite-wal benches/fetch-threads.py path/to/omroep ingest --json
"""
import os, subprocess, sys, time, collections
cmd = sys.argv[1:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = p.pid
hist = collections.Counter(); main_states = collections.Counter(); samples = 0
timeline = []
wal_path = os.environ.get("WAL")
def wal_size():
    try:
        return os.stat(wal_path).st_size if wal_path else 0
    except OSError:
        return 0
t0 = time.time()
last = {}
while p.poll() is None:
    running = 0; states = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        break
    for tid in tids:
        try:
            s = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        rest = s[s.rindex(')')+2:].split()
        st = rest[0]; name = s[s.index('(')+1:s.rindex(')')]
        cpu = int(rest[11]) + int(rest[12])
        last[tid] = (name, cpu)
        states[tid] = st
        if st == 'R': running += 1
    hist[running] += 1; samples += 1
    main_states[states.get(str(pid), '?')] += 1
    timeline.append((time.time()-t0, running, states.get(str(pid), '?'), wal_size()))
    time.sleep(0.005)
wall = time.time()-t0
print(f"wall {wall:.2f}s samples {samples}")
print("threads wanting a core:", {k: f"{v/samples:.0%}" for k, v in sorted(hist.items())})
if wal_path:
    print(f"largest WAL: {max(w for *_, w in timeline) / 2**20:.1f} MiB")
print("writer (main) states:", {k: f"{v/samples:.0%}" for k, v in main_states.items()})
for tid, (name, cpu) in sorted(last.items(), key=lambda x: int(x[0])):
    print(f"  {tid} {name:20} {cpu/100:.2f}s")
# timeline by 0.5 s buckets
buckets = collections.defaultdict(list)
for t, r, m, w in timeline:
    buckets[int(t*2)].append((r, m, w))
for b in sorted(buckets):
    rs = [r for r, _, _ in buckets[b]]; ms = ''.join(sorted(set(m for _, m, _ in buckets[b])))
    wal = f" wal {max(w for *_, w in buckets[b]) / 2**20:5.1f} MiB" if wal_path else ""
    print(f"  {b/2:5.1f}s avg-runnable {sum(rs)/len(rs):.2f} min {min(rs)} writer {ms}{wal} " + ''.join(str(min(r,9)) for r in rs[::4]))
