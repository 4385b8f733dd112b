"""The served benchmark's own parts (tests/perf/served.py, `make bench BENCH_ARGS=--served`),
without a server or a load: wrk's command, its output read into p50/p95/req/s, the refusal of a
run with answers other than 200, the server's environment and the table of the figures."""

import json

import pytest

from tests.perf import bench, served

# What wrk 4.1 prints with tests/perf/served.lua: its own summary, then the script's line.
WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:40123
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.11ms    3.02ms  61.50ms   91.00%
    Req/Sec    49.90      5.11    60.00     70.00%
  250 requests in 5.00s, 12.21MB read
Requests/sec:     49.98
Transfer/sec:      2.44MB
BENCH {"requests": 250, "duration_us": 5002000, "bytes": 12800000, "p50_us": 19234, \
"p95_us": 27501, "p99_us": 40010, "mean_us": 20110.5, "max_us": 61500, "not_ok": 0, \
"first_bad_status": 0, "socket_errors": 0}
"""


def test_wrk_output_gives_the_percentiles_in_ms_and_the_rate():
    stats = served.parse_wrk(WRK_OUTPUT)
    assert stats["requests"] == 250
    assert stats["seconds"] == 5.0  # 5,002,000 µs
    assert stats["rps"] == 50.0  # 250 / 5.002 = 49.98
    assert (stats["p50_ms"], stats["p95_ms"], stats["p99_ms"]) == (19.23, 27.5, 40.01)
    assert (stats["mean_ms"], stats["max_ms"]) == (20.11, 61.5)
    assert stats["response_kb"] == 50.0  # 12,800,000 bytes / 250 / 1024
    assert served.problem(stats) == ""


def test_output_without_the_scripts_line_is_refused():
    with pytest.raises(ValueError, match="no BENCH line"):
        served.parse_wrk("unable to connect to 127.0.0.1:40123 Connection refused\n")


@pytest.mark.parametrize(("changes", "why"), [
    ({"not_ok": 3, "first_bad_status": 302}, "3 of 250 answers were not 200 (the first: 302)"),
    ({"socket_errors": 2}, "2 connection errors"),
    ({"requests": 0}, "no request answered"),
])
def test_a_run_with_other_answers_or_errors_does_not_count(changes, why):
    line = json.loads(WRK_OUTPUT.splitlines()[-1].removeprefix("BENCH "))
    stats = served.parse_wrk("BENCH " + json.dumps({**line, **changes}))
    assert served.problem(stats).startswith(why)


def test_wrk_command_one_thread_the_connections_headers_and_the_paths_file():
    command = served.wrk_command("http://127.0.0.1:40123", "case.paths",
                                 {"X-Forwarded-Proto": "https", "Cookie": "sessionid=abc"},
                                 connections=4, seconds=5)
    assert command[:9] == ["wrk", "--threads", "1", "--connections", "4", "--duration", "5s",
                           "--timeout", "30s"]
    assert command[command.index("--script") + 1] == str(served.SCRIPT)
    assert served.SCRIPT.is_file()
    headers = [command[i + 1] for i, arg in enumerate(command) if arg == "--header"]
    assert headers == ["X-Forwarded-Proto: https", "Cookie: sessionid=abc"]
    assert command[-3:] == ["http://127.0.0.1:40123", "--", "case.paths"]


def test_the_server_runs_with_the_production_settings_and_the_benchmarks_key():
    env = served.server_environment("postgres://postgres@127.0.0.1:5432/qiao_bench_m", "k" * 50,
                                    base={"PATH": "/usr/bin", "DJANGO_SETTINGS_MODULE":
                                          "tests.perf.settings", "QIAO_SECRET_KEY": "other"})
    assert env == {"PATH": "/usr/bin", "DJANGO_SETTINGS_MODULE": "qiao.settings.production",
                   "QIAO_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/qiao_bench_m",
                   "QIAO_SECRET_KEY": "k" * 50}


def test_wrk_version_is_its_first_words():
    assert served.wrk_version("wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\n"
                              "Usage: wrk <options> <url>\n") == "wrk debian/4.1.0-3+b2"


def test_served_targets_at_l_are_twice_those_at_m():
    assert [bench.served_target_of("M", c) for c in ("list", "search_short", "detail",
                                                      "api_list", "api_detail")] == [30, 40, 20,
                                                                                     30, 20]
    assert bench.served_target_of("L", "search_short_initials") == 80
    assert bench.served_target_of("M", "apr_waiting") is None


def test_served_figures_beside_the_in_process_ones(capsys):
    figures = served.parse_wrk(WRK_OUTPUT)
    slow = {**figures, "p50_ms": 45.0, "rps": 80.4}
    results = [
        {"case": "search_short", "user": "am01", "p50_ms": 31.8, "queries": 9,
         "served": {"1": slow, "4": figures}},
        {"case": "detail", "user": "am01", "p50_ms": 10.1, "queries": 6,
         "served": {"1": figures, "4": figures}},
    ]
    run = {"server": "gunicorn (qiao serve)", "workers": 2, "threads": 4,
           "settings": "qiao.settings.production", "load_generator": "wrk debian/4.1.0-3+b2",
           "seconds_per_run": 5, "load_average_before": [1.2], "load_average_after": [2.6],
           "minutes": 8.1}
    bench.print_served_table("M", "postgres", results, (1, 4), run)
    lines = capsys.readouterr().out.splitlines()
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[-2:]}
    # in-process p50, queries, then p50 p95 req/s at 1 and at 4 connections, the target
    assert rows["search_short", "am01"] == ["31.8", "9", "45.0", "27.5", "80.4",
                                            "19.2", "27.5", "50.0", "40", "!"]
    assert rows["detail", "am01"] == ["10.1", "6", "19.2", "27.5", "50.0",
                                      "19.2", "27.5", "50.0", "20"]
    assert "load average 1.2 → 2.6" in lines[1]
