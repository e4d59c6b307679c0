"""The production app plus the yardstick routes (bench/yardsticks.py) for bench/http_server.py and
bench/approve.py."""

from bench.yardsticks import add_yardsticks
from portal import create_app

app = create_app()
add_yardsticks(app)
