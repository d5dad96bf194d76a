"""Charts for the command line: bits per stage and rate-distortion curves (matplotlib, optional).

matplotlib is the optional extra ``plot`` (``pip install ".[plot]"`` in the checkout); :func:`require_matplotlib`
checks for it up front so a command fails before doing any work.
"""
from __future__ import annotations

from .images import MissingDependency

__all__ = ["require_matplotlib", "plot_stages", "plot_rd"]


def require_matplotlib():
    """The ``matplotlib.pyplot`` module on the non-interactive Agg backend, or MissingDependency."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependency('--plot needs matplotlib: pip install ".[plot]" (from the jpeglite checkout)') from None
    return plt


def plot_stages(report, path) -> None:
    """Save a bar chart of bits per stage (log axis) of a Report to ``path`` (PNG, SVG, ...)."""
    plt = require_matplotlib()
    names = [s.name for s in report.stages]
    bits = [max(float(s.bits), 1.0) for s in report.stages]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bars = ax.bar(names, bits, color="#4477aa")
    ax.set_yscale("log")
    ax.set_ylabel("bits (log scale)")
    opts = ", ".join(f"{k}={v}" for k, v in getattr(report, "options", {}).items())
    ax.set_title(f"Where the bits go: {report.width}x{report.height}" + (f"\n{opts}" if opts else ""),
                 fontsize=10)
    for bar, b in zip(bars, bits):
        ax.annotate(f"{b / report.pixels:.2f} bpp", (bar.get_x() + bar.get_width() / 2, b),
                    ha="center", va="bottom", fontsize=8)
    ax.axhline(report.model_bits + report.header_bits, color="#cc6677", linestyle="--",
               linewidth=1, label="L(P): model + headers")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_rd(curves, path, title="Rate-distortion") -> None:
    """Save rate-distortion curves to ``path``.

    ``curves``: mapping label -> (bpp sequence, PSNR sequence in dB).
    """
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(7, 5))
    # jpeglite and Pillow often coincide exactly (byte-identical files): later
    # curves are drawn thinner, dashed and with other markers so none hides another.
    styles = [("-", "o", 4.0), ("--", "s", 2.5), (":", "^", 1.8), ("-.", "x", 1.2)]
    for i, (label, (bpp, db)) in enumerate(curves.items()):
        line, marker, width = styles[i % len(styles)]
        ax.plot(bpp, db, linestyle=line, marker=marker, markersize=4, linewidth=width,
                label=label)
    ax.set_xlabel("bits per pixel")
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
