"""The MPyC side of tools/bench-report.sh: the operations meshmpc-bench times, in MPyC.

Run by the report with Debian's python3 (python3-gmpy2, python3-numpy) and an MPyC
checkout on PYTHONPATH; nothing of MPyC is in this repository. Every party is its
own process (MPyC's -M/-I); party 0 prints one CSV row per timed run:

    op,parties,batch,seconds,ops_per_s

    python3 mpyc_bench.py --op mul --batch 1000000 -M3 -I0 ...   (and -I1, -I2)
    python3 mpyc_bench.py --op cmp --batch 100000 -M3 -I0 ...

mul: a vectorized product of two secret 32-bit integer vectors (MPyC's secint
arrays, numpy); cmp: a < b elementwise, MPyC's default statistical security k = 30
like meshmpc's. The timed part is the operation and one opening of a single
element after it, as in meshmpc-bench.
"""

import argparse
import sys
import time

import numpy as np
from mpyc.runtime import mpc


def arguments():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--op', choices=['mul', 'cmp'], default='mul')
    parser.add_argument('--batch', type=int, default=1000000)
    parser.add_argument('--repeat', type=int, default=1)
    args, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0]] + rest  # the rest is MPyC's (-M, -I, --no-log, ...)
    return args


async def main(args):
    await mpc.start()
    secint = mpc.SecInt(32)
    rng = np.random.default_rng(1)
    values = rng.integers(-2**30, 2**30, size=(2, args.batch))
    # Party 0 inputs both vectors: real sharings, as meshmpc-bench's inputs are.
    x = mpc.input(secint.array(values[0]), senders=0)
    y = mpc.input(secint.array(values[1]), senders=0)
    await mpc.output(x[:1] + y[:1])  # every party past its set-up
    for _ in range(args.repeat):
        start = time.perf_counter()
        z = x * y if args.op == 'mul' else x < y
        await mpc.output(z[:1] + z[-1:])
        seconds = time.perf_counter() - start
        if mpc.pid == 0:
            print(f'{args.op},{len(mpc.parties)},{args.batch},{seconds:.6f},{args.batch / seconds:.0f}', flush=True)
    await mpc.shutdown()


if __name__ == '__main__':
    ARGS = arguments()
    mpc.run(main(ARGS))
