"""gunicorn configuration for `make serve-prod`; every value can be overridden from the environment.

Threads let one worker process wait on the database for several requests at once; workers give
the parallelism of the machine's cores. docs/performance.md has the exam-day measurements.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Load the application once in the master and fork it: a worker that dies (or is recycled)
# is replaced at once, without importing Django and Wagtail again.
preload_app = os.environ.get("WEB_PRELOAD", "1") not in ("0", "false", "no", "")
# Recycling is off unless asked for: a gthread worker recycled under load drops the
# connections queued in it (bench/exam_day.py at 2,000 examinees: all five workers recycled
# within 30 s of each other and the clients saw resets). Set it if memory grows.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 0))
max_requests_jitter = 500
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
