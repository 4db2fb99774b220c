#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for the bpfpress mail tests (aiosmtpd).

Usage: smtp_sink.py OUT_DIR [--reject ADDR]... [--delay SECONDS]
                    [--max-per-connection N]
Listens on a free port and prints "PORT <n>" on stdout once ready. Every
accepted message is saved as OUT_DIR/NNNN.eml, its envelope recipients
in OUT_DIR/NNNN.rcpt (written to a temporary name,
fsync'd, then renamed, so a reader never sees half a file). RCPT TO for a
--reject address gets "550 5.1.1 mailbox unavailable". --delay sleeps in
the RCPT handler, before the transaction can complete, so a test can kill
the client part-way through a run. --max-per-connection closes the
connection after N messages, as some relays do. Stops on SIGTERM or when stdin closes.
"""
import argparse
import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out, reject, delay, max_per_connection):
        self.max_per_connection = max_per_connection
        self.out = out
        self.reject = {a.lower() for a in reject}
        self.delay = delay
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        if address.lower() in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        with open(os.path.join(self.out, f"{n:04d}.rcpt"), "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        path = os.path.join(self.out, f"{n:04d}.eml")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
        done = getattr(session, "bpf_count", 0) + 1
        session.bpf_count = done
        if self.max_per_connection and done >= self.max_per_connection:
            # like relays that cap messages per connection: hang up silently
            # right after the 250 is flushed, without a 421
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 OK: queued"


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--max-per-connection", type=int, default=0)
    a = ap.parse_args()
    sink = Sink(a.out, a.reject, a.delay, a.max_per_connection)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, decode_data=False, enable_SMTPUTF8=True, hostname="sink.test"),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # run until stdin closes (the test drops its end) or we are terminated
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
