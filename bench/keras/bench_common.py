"""Shared helpers for the Keras side of the benchmarks (bench/keras/*.py).

Kept free of TensorFlow imports at module level so that `--help` and argument errors are instant;
call `configure_tf_env()` before the first `import tensorflow`.
"""

import collections
import json
import os
import resource
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
REFERENCE_DIR = os.path.join(ROOT, "packages", "layers", "reference")

PRESETS = ("dsb2018", "satellite", "paper")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def configure_tf_env(threads, inter_threads=None):
    """Quiet TensorFlow's C++ logging and pin thread pools; must run before importing tensorflow.

    threads / inter_threads: 0 keeps TensorFlow's default (one thread per schedulable CPU for
    both pools). Non-zero values are exported as TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS
    (the same variables the TensorFlow C library inside tfjs-node reads) and are also applied
    with tf.config.threading in `apply_threads`.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    inter = threads if inter_threads is None else inter_threads
    if threads > 0:
        os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
    if inter > 0:
        os.environ["TF_NUM_INTEROP_THREADS"] = str(inter)
    return threads, inter


def apply_threads(tf, intra, inter):
    """Set the pools through tf.config (before any op runs)."""
    if intra > 0:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
    if inter > 0:
        tf.config.threading.set_inter_op_parallelism_threads(inter)


def schedulable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (non-Linux)
        return os.cpu_count() or 1


def _env_int(name):
    try:
        v = int(os.environ.get(name, "0"))
        return v if v > 0 else 0
    except ValueError:
        return 0


def thread_report(tf, requested_intra, requested_inter):
    """What the runtime uses. TensorFlow resolves 0 to port::MaxParallelism(), i.e. the number of
    schedulable CPUs, unless TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS are set. The observed
    count of 'tf_Compute' OS threads (the inter-op pool) is reported as a cross-check."""
    cfg_intra = tf.config.threading.get_intra_op_parallelism_threads()
    cfg_inter = tf.config.threading.get_inter_op_parallelism_threads()
    cpus = schedulable_cpus()
    intra = cfg_intra or _env_int("TF_NUM_INTRAOP_THREADS") or cpus
    inter = cfg_inter or _env_int("TF_NUM_INTEROP_THREADS") or cpus
    names = collections.Counter()
    try:
        for t in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{t}/comm") as f:
                    names[f.read().strip()] += 1
            except OSError:
                pass
    except OSError:
        pass
    return {
        "requested_intra": requested_intra,
        "requested_inter": requested_inter,
        "intra_op": intra,
        "inter_op": inter,
        "source": "explicit" if (cfg_intra or cfg_inter) else "tensorflow default (schedulable CPUs)",
        "schedulable_cpus": cpus,
        "observed_tf_compute_threads": names.get("tf_Compute", 0),
        "observed_os_threads": sum(names.values()),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") not in ("0", "false", "False"),
    }


def read_vm_status():
    """VmHWM / VmRSS from /proc/self/status in MiB (None where unavailable)."""
    out = {"VmHWM": None, "VmRSS": None}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in out:
                    out[key] = int(line.split()[1]) / 1024.0  # kB -> MiB
    except OSError:
        pass
    return out


def ru_maxrss_mb():
    # Linux reports kilobytes, macOS bytes.
    v = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return v / (1024.0 * 1024.0) if sys.platform == "darwin" else v / 1024.0


class RssSampler:
    """Peak-RSS bookkeeping: VmHWM is already a high-water mark kept by the kernel, so reading it
    at phase boundaries is enough; ru_maxrss is the same figure from getrusage."""

    def __init__(self):
        self.samples = {}

    def sample(self, label):
        st = read_vm_status()
        self.samples[label] = {"vm_rss_mb": _r(st["VmRSS"]), "vm_hwm_mb": _r(st["VmHWM"])}
        return st

    def peak(self):
        st = read_vm_status()
        ru = ru_maxrss_mb()
        hwm = st["VmHWM"] or 0.0
        return {"peak_rss_mb": _r(max(ru, hwm)), "ru_maxrss_mb": _r(ru), "vm_hwm_mb": _r(st["VmHWM"])}


def _r(x, nd=1):
    return None if x is None else round(float(x), nd)


def import_builders():
    """The Keras builders of the three presets, from packages/layers/reference/keras_models.py
    (the single Keras transcription of the seed articles used across the repo)."""
    path = os.path.join(REFERENCE_DIR, "keras_models.py")
    if not os.path.exists(path):
        raise SystemExit(f"{path}: not found (the Keras builders of the presets live there)")
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the reference module
    if REFERENCE_DIR not in sys.path:
        sys.path.insert(0, REFERENCE_DIR)
    import keras_models  # noqa: E402

    return {
        "dsb2018": keras_models.dsb2018,
        "satellite": keras_models.satellite,
        "paper": keras_models.paper,
    }


def build_preset(name, size, channels=3, num_classes=1):
    """Returns the keras.Model (the reference builders return (model, levels))."""
    builders = import_builders()
    if name not in builders:
        raise SystemExit(f"unknown model preset {name!r}; expected one of {', '.join(PRESETS)}")
    built = builders[name](size, size, channels, num_classes)
    return built[0] if isinstance(built, tuple) else built


# The satellite preset divides by 255 inside the model (Lambda x / 255, as in the article, whose
# inputs were 8-bit images). Callers that hold images in [0, 1] multiply them by this factor so
# that the network sees [0, 1] after the in-model rescale.
INPUT_SCALE = {"dsb2018": 1.0, "satellite": 255.0, "paper": 1.0}


def emit_json_line(fd, obj):
    """Write one JSON line to the saved real stdout file descriptor."""
    data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    os.write(fd, data)


def redirect_stdout_to_stderr():
    """Anything printed to stdout (Python or C++) goes to stderr from now on; returns an fd that
    still points at the original stdout, for the final JSON line."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return saved
