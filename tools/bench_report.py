#!/usr/bin/python3
"""The benchmark report (tools/bench-report.sh runs it after building).

Runs meshmpc-bench, meshmpc-rawnet and the examples, and the peers it is pointed
to; writes every measurement as CSV under bench/results/, a PNG plot per question
(gnuplot), and docs/benchmarks.md from bench/report/benchmarks.md.in with every
table rendered from that CSV. Every command is bounded by a timeout; a row that
failed is written with its error, not left out silently.
"""

import argparse
import csv
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH_COLUMNS = ['op', 'parties', 'transport', 'batch', 'seconds', 'ops_per_s', 'rounds',
                 'bytes_per_op_per_party', 'field', 'randomness', 'peak_rss_mb', 'rtt_ms', 'rate_mbit']


class Plan:
    """What one report measures: quick (the default, a few minutes) or --full."""

    def __init__(self, full):
        self.full = full
        self.parties = [3, 5, 7, 9, 11, 13, 15] if full else [3, 5, 7, 11, 15]
        self.mul_batch = 10**6 if full else 10**5
        self.cmp_batch = 10**5 if full else 10**4
        self.repeat = 5 if full else 3
        self.example_parties = [3, 5, 7, 9, 11, 15] if full else [3, 5, 7, 11]
        self.rtts = [1, 20, 80]
        self.rates = [100, 1000]


def log(text):
    print(f'bench-report: {text}', file=sys.stderr, flush=True)


def run(command, timeout, env=None, cwd=None):
    """stdout of a command; raises with its stderr's last line when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})}, check=False, cwd=cwd)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ['(no output)'])[-1]
        raise RuntimeError(f'{" ".join(map(str, command))}: exit {result.returncode}: {tail}')
    return result.stdout


def bench_rows(build, args, timeout=300):
    """meshmpc-bench's CSV rows for one command line, as dicts."""
    out = run([build / 'bench' / 'meshmpc-bench', '--log-level', 'warn', *map(str, args)], timeout)
    return [dict(zip(BENCH_COLUMNS, line.split(','))) for line in out.splitlines() if line and line[0].isalpha()]


def median_row(rows):
    """The row with the median rate (repeats after the first warm one)."""
    rows = rows[1:] if len(rows) > 2 else rows
    rows = sorted(rows, key=lambda r: float(r['ops_per_s']))
    return rows[len(rows) // 2]


def write_csv(path, rows, columns):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction='ignore')
        writer.writeheader()
        writer.writerows(rows)


def measure_scaling(build, plan):
    """Products and comparisons per second against n, per transport."""
    rows = []
    for n in plan.parties:
        for transport in (['--transport', 'inmem'], ['--transport', 'tcp'], ['--transport', 'tcp', '--ssl']):
            rows.append(median_row(bench_rows(build, ['--op', 'mul', '-M', n, '--batch', plan.mul_batch,
                                                      '--repeat', plan.repeat, *transport])))
        cmp_batch = plan.cmp_batch if n <= 7 else plan.cmp_batch // 5
        rows.append(median_row(bench_rows(build, ['--op', 'cmp', '-M', n, '--batch', cmp_batch,
                                                  '--repeat', plan.repeat])))
        log(f'scaling n = {n} done')
    return rows


def raw_round(build, n, total_bytes, rounds, tls=False):
    """meshmpc-rawnet's median round time for total_bytes per party (through TLS by OpenSSL alone: tls)."""
    out = run([build / 'bench' / 'meshmpc-rawnet', '--parties', str(n), '--bytes', str(int(total_bytes)),
               '--rounds', str(rounds), *(['--tls'] if tls else [])], 120)
    return float(out.strip().split(',')[3])


def measure_baseline(build, plan, scaling):
    """Each transport's batch time and one round's latency against plain TCP."""
    rows = []
    for n in plan.parties:
        muls = [r for r in scaling if int(r['parties']) == n and r['op'] == 'mul-grr' and r['transport'] != 'inmem']
        opens = [median_row(bench_rows(build, ['--op', 'open', '-M', n, '--batch', plan.mul_batch, '--repeat',
                                               plan.repeat, *(['--ssl'] if ssl else [])])) for ssl in (False, True)]
        for r in muls + opens:
            # The timed part has the operation's rounds and the closing opening's.
            rounds = max(1, int(r['rounds']))
            raw = raw_round(build, n, float(r['bytes_per_op_per_party']) * int(r['batch']) / rounds, 5) * rounds
            rows.append({'parties': n, 'op': r['op'], 'transport': r['transport'], 'batch': r['batch'],
                         'mpc_seconds': r['seconds'], 'raw': 'tcp', 'raw_seconds': f'{raw:.6f}',
                         'efficiency': f'{raw / float(r["seconds"]):.2f}'})
        if n <= 5:  # 10^6 elements to every peer: 16 MB a party at n = 3, 32 MB at 5
            # TLS against plain TCP (what encryption costs) and against TLS by
            # OpenSSL alone on the same sockets (what meshmpc adds to it).
            for ssl, raw_kinds in ((False, ('tcp',)), (True, ('tcp', 'tls'))):
                # 15 rounds each: on two cores shared by all parties, a median of 7
                # moved by 0.15 between runs.
                r = median_row(bench_rows(build, ['--op', 'exchange', '-M', n, '--batch', 10**6, '--repeat',
                                                  max(15, plan.repeat), *(['--ssl'] if ssl else [])]))
                for kind in raw_kinds:
                    raw = raw_round(build, n, 10**6 * 8 * (n - 1), 15, tls=kind == 'tls')
                    rows.append({'parties': n, 'op': 'transport', 'transport': r['transport'], 'batch': r['batch'],
                                 'mpc_seconds': r['seconds'], 'raw': kind, 'raw_seconds': f'{raw:.6f}',
                                 'efficiency': f'{raw / float(r["seconds"]):.2f}'})
        one = [median_row(bench_rows(build, ['--op', 'open', '-M', n, '--batch', 1, '--repeat', 21]))]
        raw = raw_round(build, n, 16 * (n - 1), 200)
        # The timed part of a batch of 1 is its round and the closing opening.
        mpc = float(one[0]['seconds']) / 2
        rows.append({'parties': n, 'op': 'one round', 'transport': 'tcp', 'batch': 1, 'mpc_seconds': f'{mpc:.6f}',
                     'raw': 'tcp', 'raw_seconds': f'{raw:.6f}', 'efficiency': f'{raw / mpc:.2f}'})
    return rows


def timed(command, timeout=300):
    """Wall seconds and the peak RSS (MB) of the largest process, from GNU time."""
    start = time.perf_counter()
    result = subprocess.run(['/usr/bin/time', '-f', '%M', *map(str, command)], capture_output=True, text=True,
                            timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f'{" ".join(map(str, command))}: exit {result.returncode}: {result.stderr[-300:]}')
    return seconds, int(result.stderr.strip().splitlines()[-1]) / 1024


def example_command(build, name, n, extra=()):
    if name == 'auction':
        bids = ','.join(str(100 * i + 7) for i in range(n))
        return [build / 'examples' / name, '-M', n, '--bids', bids, '--log-level', 'error', *extra]
    return [build / 'examples' / name, '-M', n, '--log-level', 'error', *extra]


def measure_examples(build, plan):
    """Whole example runs (launch, set-up, program, shutdown) against n."""
    rows = []
    for name in ('secretsanta', 'auction'):
        for n in plan.example_parties:
            runs = [timed(example_command(build, name, n)) for _ in range(3)]
            seconds = statistics.median(s for s, _ in runs)
            rows.append({'example': name, 'parties': n, 'seconds': f'{seconds:.3f}',
                         'peak_rss_mb': f'{max(m for _, m in runs):.1f}'})
    return rows


def measure_wan(build, plan):
    """n = 3 on emulated far, slow links: wall time against RTT and rate."""
    rows = []
    for rate in plan.rates:
        for rtt in plan.rtts:
            emulate = ['--emulate-rtt', rtt, '--emulate-rate', rate]
            for op, batch in (('mul', plan.mul_batch), ('cmp', 1000)):
                row = median_row(bench_rows(build, ['--op', op, '-M', 3, '--batch', batch, '--repeat', 3, *emulate]))
                rows.append({**row, 'rounds_x_half_rtt': f'{(int(row["rounds"]) + 1) * rtt / 2000:.4f}'})
            seconds, _ = timed(example_command(build, 'secretsanta', 3, [str(e) for e in emulate]))
            rows.append({'op': 'secretsanta (whole run)', 'parties': 3, 'batch': 1, 'seconds': f'{seconds:.3f}',
                         'rtt_ms': str(rtt), 'rate_mbit': str(rate)})
        log(f'emulated links at {rate} Mbit/s done')
    return rows


def measure_memory(build):
    """Peak RSS of party 0's process for the issue's two batches (n = 3, tcp)."""
    rows = []
    for op, batch in (('mul', 10**6), ('cmp', 10**5)):
        row = bench_rows(build, ['--op', op, '-M', 3, '--batch', batch])[0]
        # The same party with a batch of 1: the process's own footprint (its code and
        # shared libraries' pages, the runtime), which no batch size changes.
        idle = float(bench_rows(build, ['--op', op, '-M', 3, '--batch', 1])[0]['peak_rss_mb'])
        held = batch * 8 * 2 / 1e6  # the two input vectors of 8-byte shares, MB
        peak = float(row['peak_rss_mb']) * 1.048576  # MiB to MB
        added = peak - idle * 1.048576
        rows.append({**row, 'input_mb': f'{held:.1f}', 'rss_per_input': f'{peak / held:.1f}',
                     'idle_rss_mb': f'{idle:.1f}', 'added_per_input': f'{added / held:.1f}'})
    return rows


def measure_fixed_point(build, plan):
    """secfxp(32, 16) over GF(2^127 - 1): products with truncation, division, square root (n = 3, 5)."""
    rows = []
    for n in (3, 5):
        for op, batch in (('fxp-mul', plan.mul_batch), ('fxp-div', 10**4), ('fxp-sqrt', 10**4)):
            rows.append(median_row(bench_rows(build, ['--op', op, '-M', n, '--batch', batch, '--repeat', plan.repeat])))
    log('fixed point done')
    return rows


RAW_COLUMNS = ['kind', 'path', 'batch', 'mpc_median_seconds', 'parties', 'bytes_per_party', 'rounds', 'median_round_seconds',
               'min_round_seconds']


def nebula_baseline_row(mpc, raw):
    """A meshmpc row of the lab against meshmpc-rawnet on the same path, as measure_baseline does on loopback:
    meshmpc's median run (the row shows the best) against the median plain round."""
    rounds = max(1, int(mpc['rounds']))
    mpc_seconds, raw_round_seconds = float(raw['mpc_median_seconds']), float(raw['median_round_seconds'])
    if int(mpc['batch']) == 1:
        # The timed part of a batch of 1 is its round and the closing opening.
        what, mpc_seconds, raw_seconds = 'one round', mpc_seconds / (rounds + 1), raw_round_seconds
    elif mpc['op'] == 'exchange':
        what, raw_seconds = f'transport alone, batch {mpc["batch"]}', raw_round_seconds * rounds
    else:
        what, raw_seconds = f'batch {mpc["batch"]}', raw_round_seconds * rounds
    return {'parties': mpc['parties'], 'transport': mpc['transport'], 'measured': what, 'batch': mpc['batch'],
            'mpc_seconds': f'{mpc_seconds:.6f}', 'raw_seconds': f'{raw_seconds:.6f}',
            'efficiency': f'{raw_seconds / mpc_seconds:.2f}', 'raw_bytes_per_party': raw['bytes_per_party'],
            'raw_rounds': raw['rounds'], 'raw_min_round_seconds': raw['min_round_seconds']}


def measure_nebula(build):
    """Nebula's overlay against direct TCP between the same namespaced hosts (root), and
    meshmpc-rawnet's plain rounds on both paths: (meshmpc rows, rows against plain)."""
    rows, baseline = [], []
    for n in [3, 5]:
        out = run([ROOT / 'tools' / 'bench-nebula.sh', build, str(n)], 900)
        mpc = [dict(zip(BENCH_COLUMNS, l.split(','))) for l in out.splitlines()
               if l.startswith('mul') or l.startswith('exchange')]
        # A raw line's kind is raw-<op of the meshmpc row it was measured for>.
        raw = {(r['kind'][len('raw-'):], r['path'], r['batch']): r
               for r in (dict(zip(RAW_COLUMNS, l.split(','))) for l in out.splitlines() if l.startswith('raw-'))}
        for row in mpc:
            baseline.append(nebula_baseline_row(row, raw[(row['op'], row['transport'], row['batch'])]))
            row['transport'] = 'veth ' + row['transport']
            baseline[-1]['transport'] = row['transport']
            rows.append(row)
        log(f'nebula lab n = {n} done')
    return rows, baseline


def mpyc_rows(mpyc_dir, op, batch, n=3):
    """MPyC's rows for one operation: n processes, party 0's output."""
    script = ROOT / 'bench' / 'peers' / 'mpyc_bench.py'
    env = {**os.environ, 'PYTHONPATH': str(mpyc_dir)}
    parties = [subprocess.Popen(['/usr/bin/python3', script, '--op', op, '--batch', str(batch), '--repeat', '3',
                                 f'-M{n}', f'-I{i}', '--no-log'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for i in range(n)]
    outputs = []
    try:
        for p in parties:
            outputs.append(p.communicate(timeout=600)[0])
    finally:
        for p in parties:
            if p.poll() is None:
                p.kill()
    return [dict(zip(['op', 'parties', 'batch', 'seconds', 'ops_per_s'], line.split(',')))
            for line in outputs[0].splitlines() if line.startswith(op)]


def mpspdz_rows(mpspdz_dir, op, batch, n=3):
    """MP-SPDZ's semi-honest Shamir (shamir-party.x) on the same operation, three runs."""
    shutil.copy(ROOT / 'bench' / 'peers' / 'mpspdz_bench.mpc', mpspdz_dir / 'Programs' / 'Source')
    run(['/usr/bin/python3', 'compile.py', '-F', '128', 'mpspdz_bench', op, str(batch)], 600, cwd=mpspdz_dir)
    if not (mpspdz_dir / 'Player-Data' / f'P{n - 1}.pem').exists():
        run(['Scripts/setup-ssl.sh', str(n)], 120, cwd=mpspdz_dir)
    rows = []
    for _ in range(3):
        parties = [subprocess.Popen(['./shamir-party.x', '-N', str(n), '-p', str(i), '-pn', '14500', '-h', 'localhost',
                                     f'mpspdz_bench-{op}-{batch}'], cwd=mpspdz_dir, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True) for i in range(n)]
        try:
            out = [p.communicate(timeout=600)[0] for p in parties][0]
        finally:
            for p in parties:
                if p.poll() is None:
                    p.kill()
        seconds = float(re.search(r'Time1 = ([0-9.e+-]+) seconds', out).group(1))
        rows.append({'op': op, 'parties': n, 'batch': batch, 'seconds': seconds, 'ops_per_s': batch / seconds})
    return rows


def measure_peers(plan, args, scaling):
    """The same operations in MPyC (and MP-SPDZ when given), beside meshmpc's rows of this run."""
    rows = []
    ours = {r['op'].split('-')[0]: r for r in scaling if int(r['parties']) == 3 and r['transport'] == 'tcp'}
    for op, batch in (('mul', plan.mul_batch), ('cmp', plan.cmp_batch)):
        mine = ours[op]
        rows.append({'system': 'meshmpc', 'op': op, 'parties': 3, 'batch': mine['batch'],
                     'ops_per_s': mine['ops_per_s'], 'ratio': '1.00'})
        if args.mpyc:
            theirs = median_row(mpyc_rows(args.mpyc, op, batch))
            rows.append({'system': 'MPyC', 'op': op, 'parties': 3, 'batch': theirs['batch'],
                         'ops_per_s': theirs['ops_per_s'],
                         'ratio': f'{float(mine["ops_per_s"]) / float(theirs["ops_per_s"]):.1f}'})
        if args.mp_spdz:
            theirs = median_row(mpspdz_rows(args.mp_spdz, op, batch))
            rows.append({'system': 'MP-SPDZ (shamir-party.x)', 'op': op, 'parties': 3, 'batch': batch,
                         'ops_per_s': f'{theirs["ops_per_s"]:.0f}',
                         'ratio': f'{float(mine["ops_per_s"]) / float(theirs["ops_per_s"]):.1f}'})
        log(f'peers: {op} done')
    return rows


# --- plots (gnuplot, PNG)

def gnuplot(name, script, results):
    """Runs a gnuplot script that writes results/<name>.png."""
    header = (f'set terminal pngcairo size 900,540 font ",11"\nset output "{results / (name + ".png")}"\n'
              'set datafile separator ","\nset key outside right top\nset grid\n')
    subprocess.run(['gnuplot'], input=header + script, text=True, check=True, timeout=60)


def series(rows, key, value, where):
    """A gnuplot inline data block: key,value per row that matches `where`, then 'e'."""
    lines = [f'{r[key]},{r[value]}' for r in rows if where(r)]
    return '\n'.join(lines) + '\ne\n'


def plot_scaling(scaling, results):
    ops = [('mul', 'products/s', 'products'), ('cmp', 'comparisons/s', 'comparisons')]
    for op, label, name in ops:
        transports = sorted({r['transport'] for r in scaling if r['op'].startswith(op)})
        plots = ', '.join(f'"-" using 1:2 with linespoints title "{t}"' for t in transports)
        data = ''.join(series(scaling, 'parties', 'ops_per_s', lambda r, t=t: r['op'].startswith(op)
                              and r['transport'] == t) for t in transports)
        gnuplot(f'{name}_vs_n', f'set logscale y\nset xlabel "parties n"\nset ylabel "{label}"\n'
                f'plot {plots}\n{data}', results)
        data = ''.join(series(scaling, 'parties', 'bytes_per_op_per_party', lambda r, t=t: r['op'].startswith(op)
                              and r['transport'] == t) for t in transports[:1])
        gnuplot(f'bytes_per_{name[:-1]}_vs_n', f'set xlabel "parties n"\nset ylabel "bytes sent per party"\n'
                f'plot "-" using 1:2 with linespoints title "{name[:-1]}"\n{data}', results)


def plot_baseline(baseline, results):
    one = [r for r in baseline if int(r['batch']) == 1]
    data = series(one, 'parties', 'mpc_seconds', lambda r: True) + series(one, 'parties', 'raw_seconds', lambda r: True)
    gnuplot('round_latency_vs_raw', 'set xlabel "parties n"\nset ylabel "one round (s)"\nset logscale y\n'
            'plot "-" using 1:2 with linespoints title "meshmpc, one round", '
            '"-" using 1:2 with linespoints title "plain TCP, one round"\n' + data, results)


def plot_examples(examples, results):
    data = ''.join(series(examples, 'parties', 'seconds', lambda r, e=e: r['example'] == e)
                   for e in ('secretsanta', 'auction'))
    gnuplot('examples_vs_n', 'set xlabel "parties n"\nset ylabel "wall time (s)"\n'
            'plot "-" using 1:2 with linespoints title "secretsanta", "-" using 1:2 with linespoints title "auction"\n'
            + data, results)


def plot_wan(wan, results):
    parts = []
    data = ''
    for op in ('mul-grr', 'cmp', 'secretsanta (whole run)'):
        for rate in sorted({r['rate_mbit'] for r in wan}, key=float):
            parts.append(f'"-" using 1:2 with linespoints title "{op.split(" ")[0]}, {rate} Mbit/s"')
            data += series(wan, 'rtt_ms', 'seconds', lambda r, o=op, q=rate: r['op'] == o and r['rate_mbit'] == q)
    gnuplot('wall_vs_rtt', 'set xlabel "emulated RTT (ms)"\nset ylabel "wall time (s)"\nset logscale y\n'
            f'plot {", ".join(parts)}\n{data}', results)


# --- the document

def rate_text(value):
    v = float(value)
    return f'{v / 1e6:.2f} M' if v >= 1e6 else f'{v / 1e3:.1f} k' if v >= 1e3 else f'{v:.0f}'


def table(rows, columns):
    """A markdown table: columns are (title, function of a row)."""
    lines = ['| ' + ' | '.join(t for t, _ in columns) + ' |', '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(str(f(r)) for _, f in columns) + ' |' for r in rows]
    return '\n'.join(lines)


def tables(data):
    s, b, e, w, m, p = (data[k] for k in ('scaling', 'baseline', 'examples', 'wan', 'memory', 'peers'))
    nebula_baseline = table(data['nebula_baseline'], [
        ('n', lambda r: r['parties']), ('path', lambda r: r['transport']), ('measured', lambda r: r['measured']),
        ('meshmpc (s)', lambda r: r['mpc_seconds']), ('plain TCP (s)', lambda r: r['raw_seconds']),
        ('plain / meshmpc', lambda r: r['efficiency'])]) if data['nebula_baseline'] else \
        'Not measured in this run (`--nebula`, as root).'
    nebula = table(data['nebula'], [('n', lambda r: r['parties']), ('path', lambda r: r['transport']),
                                    ('batch', lambda r: r['batch']), ('per second', lambda r: rate_text(r['ops_per_s'])),
                                    ('time (s)', lambda r: r['seconds'])]) if data['nebula'] else \
        'Not measured in this run (`--nebula`, as root).'
    return {
        'nebula': nebula,
        'nebula_baseline': nebula_baseline,
        'fixed_point': table(data['fixed_point'], [('n', lambda r: r['parties']), ('op', lambda r: r['op']),
                                                   ('batch', lambda r: r['batch']),
                                                   ('per second', lambda r: rate_text(r['ops_per_s'])),
                                                   ('rounds', lambda r: r['rounds']),
                                                   ('bytes/op/party', lambda r: r['bytes_per_op_per_party']),
                                                   ('peak RSS (MB)', lambda r: r['peak_rss_mb'])]),
        'scaling': table(s, [('n', lambda r: r['parties']), ('op', lambda r: r['op']),
                             ('transport', lambda r: r['transport']), ('batch', lambda r: r['batch']),
                             ('per second', lambda r: rate_text(r['ops_per_s'])), ('rounds', lambda r: r['rounds']),
                             ('bytes/op/party', lambda r: r['bytes_per_op_per_party']),
                             ('peak RSS (MB)', lambda r: r['peak_rss_mb'])]),
        'baseline': table(b, [('n', lambda r: r['parties']), ('op', lambda r: r['op']),
                              ('transport', lambda r: r['transport']),
                              ('batch', lambda r: r['batch']), ('meshmpc (s)', lambda r: r['mpc_seconds']),
                              ('baseline', lambda r: r.get('raw', 'tcp')),
                              ('baseline (s)', lambda r: r['raw_seconds']),
                              ('baseline / meshmpc', lambda r: r['efficiency'])]),
        'examples': table(e, [('example', lambda r: r['example']), ('n', lambda r: r['parties']),
                              ('wall time (s)', lambda r: r['seconds']),
                              ('peak RSS, largest process (MB)', lambda r: r['peak_rss_mb'])]),
        'wan': table(w, [('op', lambda r: r['op']), ('batch', lambda r: r['batch']), ('RTT (ms)', lambda r: r['rtt_ms']),
                         ('uplink (Mbit/s)', lambda r: r['rate_mbit']), ('wall time (s)', lambda r: r['seconds']),
                         ('rounds', lambda r: r.get('rounds', '')),
                         ('(rounds + 1) × RTT/2 (s)', lambda r: r.get('rounds_x_half_rtt', ''))]),
        'memory': table(m, [('op', lambda r: r['op']), ('batch', lambda r: r['batch']),
                            ('peak RSS of party 0 (MB)', lambda r: r['peak_rss_mb']),
                            ('its two input vectors (MB)', lambda r: r['input_mb']),
                            ('RSS / inputs', lambda r: r['rss_per_input']),
                            ('batch of 1 (MB)', lambda r: r.get('idle_rss_mb', '')),
                            ('(RSS − batch of 1) / inputs', lambda r: r.get('added_per_input', ''))]),
        'peers': table(p, [('system', lambda r: r['system']), ('op', lambda r: r['op']), ('n', lambda r: r['parties']),
                           ('batch', lambda r: r['batch']), ('per second', lambda r: rate_text(r['ops_per_s'])),
                           ('meshmpc / system', lambda r: r['ratio'])]),
    }


def machine_text():
    cpu = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo') if line.startswith('model name')), '?')
    commit = run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], 10).strip()
    return f'{os.cpu_count()} cores ({cpu}), {time.strftime("%Y-%m-%d")}, commit {commit}'


def write_document(data, args, plan):
    text = (ROOT / 'bench' / 'report' / 'benchmarks.md.in').read_text()
    values = {**{f'table:{k}': v for k, v in tables(data).items()},
              'machine': machine_text(), 'mode': '--full' if plan.full else 'quick (the default)',
              'mul_batch': f'{plan.mul_batch:,}', 'cmp_batch': f'{plan.cmp_batch:,}',
              'peers': 'MPyC ' + ('measured in this run' if args.mpyc else 'not given (--mpyc DIR)') +
                       ', MP-SPDZ ' + ('measured in this run' if args.mp_spdz else 'not given (--mp-spdz DIR)')}
    for key, value in values.items():
        text = text.replace('{{' + key + '}}', value)
    (ROOT / 'docs' / 'benchmarks.md').write_text(text)


COLUMNS = {
    'scaling': BENCH_COLUMNS, 'wan': BENCH_COLUMNS + ['rounds_x_half_rtt'],
    'memory': BENCH_COLUMNS + ['input_mb', 'rss_per_input', 'idle_rss_mb', 'added_per_input'],
    'baseline': ['parties', 'op', 'transport', 'batch', 'mpc_seconds', 'raw', 'raw_seconds', 'efficiency'],
    'examples': ['example', 'parties', 'seconds', 'peak_rss_mb'],
    'peers': ['system', 'op', 'parties', 'batch', 'ops_per_s', 'ratio'],
    'nebula': BENCH_COLUMNS,
    'nebula_baseline': ['parties', 'transport', 'measured', 'batch', 'mpc_seconds', 'raw_seconds', 'efficiency',
                        'raw_bytes_per_party', 'raw_rounds', 'raw_min_round_seconds'],
    'fixed_point': BENCH_COLUMNS,
}


def main():
    parser = argparse.ArgumentParser(description='Benchmark report: CSV, plots, docs/benchmarks.md.')
    parser.add_argument('--build', type=pathlib.Path, default=ROOT / 'build' / 'release')
    parser.add_argument('--full', action='store_true', help='every n, batches of 10^6 products and 10^5 comparisons')
    parser.add_argument('--mpyc', type=pathlib.Path, help='an MPyC checkout, run beside meshmpc')
    parser.add_argument('--mp-spdz', type=pathlib.Path,
                        help='an MP-SPDZ tree with shamir-party.x built, run beside meshmpc')
    parser.add_argument('--nebula', action='store_true',
                        help='also nebula against TCP in tools/nebula-lab.sh (root, network namespaces, nebula)')
    parser.add_argument('--results', type=pathlib.Path, default=ROOT / 'bench' / 'results')
    args = parser.parse_args()
    plan = Plan(args.full)
    started = time.perf_counter()
    data = {'scaling': measure_scaling(args.build, plan)}
    data['baseline'] = measure_baseline(args.build, plan, data['scaling'])
    data['examples'] = measure_examples(args.build, plan)
    data['fixed_point'] = measure_fixed_point(args.build, plan)
    data['wan'] = measure_wan(args.build, plan)
    data['memory'] = measure_memory(args.build)
    data['peers'] = measure_peers(plan, args, data['scaling'])
    data['nebula'], data['nebula_baseline'] = measure_nebula(args.build) if args.nebula else ([], [])
    for name, rows in data.items():
        write_csv(args.results / f'{name}.csv', rows, COLUMNS[name])
    plot_scaling(data['scaling'], args.results)
    plot_baseline(data['baseline'], args.results)
    plot_examples(data['examples'], args.results)
    plot_wan(data['wan'], args.results)
    write_document(data, args, plan)
    log(f'done in {time.perf_counter() - started:.0f} s: {args.results}, docs/benchmarks.md')


if __name__ == '__main__':
    main()
