"""The page benchmark's reading of wrk and its budget (bench/pages.py); `make bench` itself
needs wrk and a PostgreSQL of its own, and runs by hand."""

from bench.pages import BUDGET, PAGES, PageResult, check_budget, parse_wrk

WRK = """Running 5s test @ http://127.0.0.1:8000/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.71ms    2.10ms  31.10ms   89.12%
    Req/Sec     1.03k   100.00     1.20k    70.00%
  Latency Distribution
     50%  850.00us
     75%    4.50ms
     90%    5.60ms
     99%    1.21s
  10250 requests in 5.00s, 52.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:   2049.12
Transfer/sec:     10.50MB
"""


def test_wrk_output_is_read_with_its_units_and_every_failure_counted():
    measure = parse_wrk(WRK)
    assert measure.rps == 2049.12
    assert measure.p50_ms == 0.85 and measure.p99_ms == 1210.0
    assert measure.not_ok == 3 + 2 + 1


def test_every_page_of_the_budget_is_measured():
    assert set(BUDGET) <= {page.name for page in PAGES}


def test_the_budget_fails_a_page_below_its_ratio_or_above_its_queries():
    def run(ratio: float, queries: int) -> dict:
        pages = {}
        for page in PAGES:
            result = PageResult(page.name, page.path, queries=queries, bytes=1000)
            result.rounds.append(parse_wrk(WRK.replace("1.21s", "10.00ms")))
            result.ratios.append(1.0 if page.name in ("baseline", "static file") else ratio)
            result.status = 200
            pages[page.name] = result
        pages["static file"].queries = 0
        return {"small": {"pages": pages, "first_visit_bytes": 1000}}

    good = dict(check_budget(run(ratio=0.9, queries=1)))
    assert all(held for line, held in good.items() if "not 2xx" not in line), good
    bad = dict(check_budget(run(ratio=0.01, queries=20)))
    assert not bad["small: / ratio 0.010 >= 0.5"]
    assert not bad["small: project page, signed in queries 20 <= 7"]
