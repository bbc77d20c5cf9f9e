"""Episodes per second of the same oracle benchmark on the local executor and on a local Ray cluster with 1
and 2 nodes, and the per-episode overhead Ray adds. Prints a table.

    python benchmarks/ray_bench.py [--phones 2] [--combinations 1] [--screen 540x1200] [--density 210]

Every row runs the default suite (40 templates x ``--combinations`` episodes) with the oracle on a fresh run
directory and the same number of phones in all (``--phones``): the local executor with P phones; Ray with
one node holding P phones; Ray with two nodes (``ray.cluster_utils.Cluster`` on loopback) holding P/2 each.
Every row must reach 100%. ``overhead/episode`` is (the row's wall - the local wall) x P / episodes: the
time Ray adds to each episode's phone slot (scheduling, the task's round trip, shipping the trajectory, a
phone started once per worker process). The cluster's start-up is not in the wall time.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from qwen2vl_agent.agent.bench import BenchConfig, BenchRunner


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def run_once(name: str, executor: str, args: argparse.Namespace, root: Path) -> tuple[float, int, float]:
    """(wall seconds, episodes, success rate) of one run."""
    config = BenchConfig(
        out=root / name, policy="oracle", combinations=args.combinations, seed=args.seed, parallel=args.phones,
        screen_size=args.screen, density=args.density, html=False, executor=executor,  # type: ignore[arg-type]
    )  # fmt: skip
    started = time.monotonic()
    report = BenchRunner(config).run()
    return time.monotonic() - started, report.summary.overall.episodes, report.summary.overall.success_rate


def on_cluster(nodes: int, args: argparse.Namespace, root: Path, name: str) -> tuple[float, int, float]:
    import ray
    from ray.cluster_utils import Cluster

    per_node = {"sim_phone": args.phones // nodes}
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": per_node})
    for _ in range(nodes - 1):
        cluster.add_node(num_cpus=1, resources=per_node)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        return run_once(name, "ray", args, root)
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phones", type=int, default=2, help="phones in all, in every row (default 2; even)")
    ap.add_argument("--combinations", type=int, default=1, help="instances per template (default 1: 40 episodes)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--screen", type=_size, default=(540, 1200))
    ap.add_argument("--density", type=int, default=210)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ray-bench-") as tmp:
        root = Path(tmp)
        rows = [("local", *run_once("local", "local", args, root))]
        rows.append(("ray, 1 node", *on_cluster(1, args, root, "ray1")))
        rows.append(("ray, 2 nodes", *on_cluster(2, args, root, "ray2")))
    base = rows[0][1]
    w, h = args.screen
    print(f"oracle, default suite x{args.combinations}, {w}x{h} phones, {args.phones} phones in every row")
    print(f"{'executor':<14} {'episodes':>9} {'success':>8} {'wall s':>8} {'episodes/s':>11} {'overhead/episode':>17}")
    for name, wall, episodes, rate in rows:
        overhead = (wall - base) * args.phones / episodes
        print(f"{name:<14} {episodes:>9} {rate:>8.0%} {wall:>8.1f} {episodes / wall:>11.3f} {overhead:>15.3f} s")


if __name__ == "__main__":
    main()
