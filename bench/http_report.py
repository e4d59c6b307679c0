"""The table bench/http_server.py prints: every target's req/s, p50 and p95, and its ratios to the yardsticks
measured in the same rounds."""

from __future__ import annotations

import os
import statistics

from bench._setup import machine


def report(args, yardsticks, yardstick_runs, measured, runs, loads) -> None:
    median = statistics.median
    workers = args.workers or (os.cpu_count() * 2 + 1)
    print(f"machine: {machine()}; load average (1 min) during the run: {', '.join(f'{x:.1f}' for x in loads)}")
    print(
        f"gunicorn gthread, {workers} workers x {args.server_threads or 4} threads; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s; {args.rounds} rounds; random access over {args.invoices:,} invoices"
    )
    for target in yardsticks:
        print(
            f"{target.name} runs: " + ", ".join(f"{run[target.name]['rps']:.0f}" for run in yardstick_runs) + " req/s"
        )
    print(
        "| target | req/s (median) | p50 ms | p95 ms | ratio to yardstick: req/s median (rounds) "
        "| p95 ratio | p95 ratio less template time | gunicorn CPU ms/req | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for target in yardsticks:
        results = [run[target.name] for run in yardstick_runs]
        print(
            f"| {target.name} | {median(r['rps'] for r in results):.0f} | {median(r['p50'] for r in results):.1f} "
            f"| {median(r['p95'] for r in results):.1f} | 1.00 | 1.00 | "
            f"| {median(r['cpu_ms'] for r in results):.2f} | |"
        )
    for target in measured:
        name = {"one": "one-row yardstick", "fifty": "fifty-row yardstick"}[target.yardstick]
        around = [around_runs(a, b, name) for a, b in zip(yardstick_runs, yardstick_runs[1:])]
        results = runs[target.name]
        ratios = [result["rps"] / yardstick["rps"] for result, yardstick in zip(results, around)]
        p95_ratios = [result["p95"] / yardstick["p95"] for result, yardstick in zip(results, around)]
        goal = target.goal
        if goal.startswith("p95"):
            met = median(p95_ratios) <= float(goal.split()[-1])
        else:
            met = median(ratios) >= float(goal.split()[-1])
        verdict, less_template = f"{goal} {'ok' if met else 'MISSED'}", ""
        if target.template:
            # The limit is 1.5 x the one-row p95 plus the template's own time (the template yardstick's p95 less
            # the one-row p95, in the same rounds): the page's p95 less that time, over the one-row p95.
            templates = [around_runs(a, b, target.template) for a, b in zip(yardstick_runs, yardstick_runs[1:])]
            net = [
                (result["p95"] - (template["p95"] - yardstick["p95"])) / yardstick["p95"]
                for result, template, yardstick in zip(results, templates, around)
            ]
            limit = float(goal.split()[-1])
            less_template = f"{median(net):.2f} ({', '.join(f'{r:.2f}' for r in net)})"
            verdict += f"; less template {'ok' if median(net) <= limit else 'MISSED'}"
        print(
            f"| {target.name} | {median(r['rps'] for r in results):.0f} | {median(r['p50'] for r in results):.1f} "
            f"| {median(r['p95'] for r in results):.1f} | {median(ratios):.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}) of {name} | {median(p95_ratios):.2f} | {less_template} "
            f"| {median(r['cpu_ms'] for r in results):.2f} | {verdict} |"
        )


def around_runs(before: dict, after: dict, name: str) -> dict:
    """A yardstick's req/s and p95 around a round: the mean of its runs before and after it."""
    return {key: (before[name][key] + after[name][key]) / 2 for key in ("rps", "p95")}
