"""CPU seconds of one server's own processes, for the HTTP benchmark's "gunicorn CPU per request" column."""

from __future__ import annotations

import subprocess
import threading

import psutil


class ServerCpu:
    """CPU seconds of one gunicorn server's own processes (the master and its workers, nothing else on the
    machine), sampled every 0.2 s so that a worker recycled during a run keeps the CPU it used until
    its last sample (at most 0.2 s of it is lost)."""

    def __init__(self, server: subprocess.Popen):
        self._master = psutil.Process(server.pid)
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        try:
            processes = [self._master, *self._master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            self._seen[process.pid] = max(self._seen.get(process.pid, 0.0), times.user + times.system)

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> ServerCpu:
        self._sample()
        self._before = sum(self._seen.values())
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.seconds = sum(self._seen.values()) - self._before
