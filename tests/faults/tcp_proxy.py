"""A TCP forwarder the fault tests put between two of their own processes, run as its own process:
killing it is a server that vanishes (open connections cut, new ones refused), starting it again
on the same port is the server coming back.

    python tests/faults/tcp_proxy.py LISTEN_PORT TARGET_HOST:TARGET_PORT [--drop-responses]

`--drop-responses` forwards requests but never what comes back: a network that loses the
answer after the server has acted, so that the client times out and retries.
"""

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None) -> None:
    try:
        while data := await reader.read(65536):
            if writer is not None:
                writer.write(data)
                await writer.drain()
    except ConnectionError:
        pass
    finally:
        if writer is not None:
            writer.close()


async def main(listen: int, target: str, drop_responses: bool) -> None:
    host, port = target.rsplit(":", 1)

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, server_writer),
            _pipe(server_reader, None if drop_responses else client_writer),
        )

    server = await asyncio.start_server(relay, "127.0.0.1", listen, reuse_address=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], "--drop-responses" in sys.argv[3:]))
