"""Run llama.cpp's server (embedded in the `xllamacpp` wheel) until stdin closes.

Started by `tests/realmodel/server.py` in a child process of its own, so that llama.cpp's log,
threads and any crash stay out of the test process:

    python serve.py MODEL.gguf N_CTX

It listens on 127.0.0.1 on a free port with one thread, prints `listening <url>` on stdout once
the model is loaded, and exits when its stdin is closed. Exit code 3: xllamacpp cannot be
imported here (the reason is on stderr).
"""

from __future__ import annotations

import sys

EXIT_NO_XLLAMACPP = 3


def main(argv: list[str]) -> int:
    model_path, n_ctx = argv[1], int(argv[2])
    try:
        import xllamacpp
    except ImportError as err:
        print(f"cannot import xllamacpp: {err}", file=sys.stderr)
        return EXIT_NO_XLLAMACPP
    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the system picks a free port; `listening_address` tells which
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.sampling.seed = 1234  # with temperature 0 from reviewbot: answers repeat run to run
    server = xllamacpp.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    del server  # its destructor stops the HTTP server and the inference loop
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
