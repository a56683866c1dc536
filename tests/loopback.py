"""A server process of a test on a free loopback port: started, awaited, stopped in bounded time."""

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackProcess:
    """``command`` with its output in ``log``; ``start`` returns once ``port`` accepts."""

    name = "server"

    def __init__(self):
        self.process = None
        self.port = None
        self._log = None
        self.log_path = None

    def launch(self, command, *, port: int, log_path: Path, timeout: float = 20.0, **popen):
        self.port = port
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, **popen
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start listening in time: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self, timeout: float = 10.0):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if self._log is not None and not self._log.closed:
            self._log.close()
