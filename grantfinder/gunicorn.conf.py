"""gunicorn's configuration for Grant Finder: ``gunicorn -c grantfinder/gunicorn.conf.py grantfinder.wsgi``.

Every value can be changed from the environment (GUNICORN_* below, or gunicorn's own
GUNICORN_CMD_ARGS). Why each default:

- Sync workers, ``2 x cores + 1`` of them (gunicorn's rule of thumb): every request is short
  ORM work; anything slow (search runs, LLM writing) runs in ``manage.py db_worker``, so no
  request waits on the network and a pool of processes uses every core without the GIL.
- ``timeout`` 30 s: a worker stuck longer is killed and replaced; no page needs that long, and
  /health bounds its own queries far below it.
- ``max_requests`` with jitter as large as itself: workers are recycled now and then, so a slow
  leak never grows, each after 2000 to 4000 requests. A jitter of a tenth (gunicorn's example)
  left all workers, started together and fed round-robin, restarting within a second of each
  other: every request waited for a booting worker (p95 9 s; bench/recycle.py). Spread over a
  whole cycle, one worker at a time is booting and the others serve.
- No gunicorn access log: ``grantfinder.request_log`` writes one JSON line per request without
  the query string or the client's address, which gunicorn's access log would record.
- ``forwarded_allow_ips``: only the proxy in front (loopback by default) may set
  X-Forwarded-Proto, which tells Django a request came over HTTPS.
"""

import multiprocessing
import os

wsgi_app = "grantfinder.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", max_requests))
backlog = int(os.environ.get("GUNICORN_BACKLOG", 2048))
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Load the app in each worker, not the master: a worker then never inherits a database connection
# opened before the fork, and a code deploy needs only a HUP.
preload_app = False
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Headers and request lines bigger than these are refused before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
proc_name = "grantfinder"
# gunicorn 27's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl), so a second
# gunicorn on the machine would take it over; nothing here uses it.
control_socket_disable = True
