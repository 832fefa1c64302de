"""One line per benchmark figure: the figure, its floor measured in the same run, their ratio, the load."""
import os


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def figure(name: str, seconds: float, floor_name: str, floor_seconds: float, records: int, goal: float) -> str:
    ratio = seconds / floor_seconds if floor_seconds else float("inf")
    verdict = "met" if ratio <= goal else "MISSED"
    line = (f"| {name} | {seconds:.2f} s | {floor_name} {floor_seconds:.2f} s | {ratio:.1f}x | "
            f"<= {goal:g}x: {verdict} | {load_average()} | {records:,} |")
    print(line, flush=True)
    return line


HEADER = "| figure | result | floor (same run) | ratio | goal | load (1/5/15 min) | records |\n|---|---|---|---|---|---|---|"
