/// The Python that `lfm` runs once in the target environment (then cached) to learn what it
/// has: package versions, torch accelerator and devices, bf16 support as transformers checks
/// it, nvidia-smi, CPU cores, and the keys/types/choices of LLaMA-Factory's argument
/// dataclasses per subcommand. It prints one `LFM_PROBE {json}` line on stdout.
enum ProbeScript {
    static let marker = "LFM_PROBE "
    /// Bumped when the script changes, so cached results from an older script are probed again.
    static let version = 2
    static let source = #"""
import json, os, sys, shutil, subprocess, time
t0 = time.time()
out = {"probe_version": 2, "python": sys.version.split()[0], "executable": sys.executable, "cpu_count": os.cpu_count()}
try:
    out["cpu_count"] = len(os.sched_getaffinity(0))
except Exception:
    pass
from importlib import metadata
pk = {}
for name in ("llamafactory", "torch", "torchaudio", "torchvision", "transformers", "peft", "trl", "accelerate", "datasets", "deepspeed", "bitsandbytes"):
    try:
        pk[name] = metadata.version(name)
    except Exception:
        pass
out["packages"] = pk
def err(e):
    return (type(e).__name__ + ": " + str(e)).strip()[:600]
out["accelerator"] = "cpu"
out["devices"] = []
try:
    import torch
    out["torch_cuda"] = torch.version.cuda
    out["torch_hip"] = getattr(torch.version, "hip", None)
    if torch.cuda.is_available():
        out["accelerator"] = "rocm" if out["torch_hip"] else "cuda"
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            out["devices"].append({"name": p.name, "memory_bytes": int(p.total_memory), "compute_capability": "%d.%d" % (p.major, p.minor)})
    else:
        try:
            import torch_npu  # noqa: F401
            if torch.npu.is_available():
                out["accelerator"] = "npu"
                for i in range(torch.npu.device_count()):
                    out["devices"].append({"name": torch.npu.get_device_name(i)})
        except Exception:
            pass
        if out["accelerator"] == "cpu" and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            out["accelerator"] = "mps"
except Exception as e:
    out["torch_error"] = err(e)
for mod in ("torchaudio", "torchvision"):
    if mod in pk:
        try:
            __import__(mod)
        except Exception as e:
            out[mod + "_error"] = err(e)
try:
    from transformers.utils import is_torch_bf16_gpu_available
    out["bf16_supported"] = bool(is_torch_bf16_gpu_available())
except Exception as e:
    out["transformers_error"] = err(e)
smi = shutil.which("nvidia-smi")
if smi:
    try:
        r = subprocess.run([smi, "--query-gpu=name,memory.total,compute_cap,driver_version", "--format=csv,noheader,nounits"],
                           capture_output=True, text=True, timeout=20)
        rows = []
        for line in r.stdout.splitlines():
            f = [x.strip() for x in line.split(",")]
            if len(f) >= 4:
                rows.append({"name": f[0], "memory_mib": int(f[1]) if f[1].isdigit() else None, "compute_capability": f[2], "driver": f[3]})
        out["nvidia_smi"] = rows
    except Exception as e:
        out["nvidia_smi_error"] = err(e)
if "llamafactory" in pk and os.environ.get("LFM_PROBE_KEYS", "1") == "1":
    try:
        import dataclasses, enum, typing
        from llamafactory.hparams import parser as P
        def kind(tp):
            origin = typing.get_origin(tp)
            args = typing.get_args(tp)
            if origin is typing.Union or type(tp).__name__ == "UnionType":
                rest = [a for a in args if a is not type(None)]
                opt = len(rest) < len(args)
                parts = [kind(a) for a in rest]
                if len(parts) == 1:
                    k = dict(parts[0])
                    k["optional"] = k.get("optional", False) or opt
                    return k
                ch = [c for p in parts if p["kind"] == "choice" for c in p["choices"]]
                kinds = {p["kind"] for p in parts}
                if ch and kinds <= {"choice", "str"}:
                    return {"kind": "choice", "choices": ch, "optional": opt}
                if kinds <= {"int", "float"}:
                    return {"kind": "float", "optional": opt}
                return {"kind": "any", "optional": opt}
            if origin is typing.Literal:
                if all(isinstance(a, bool) for a in args):
                    return {"kind": "bool"}
                return {"kind": "choice", "choices": [str(a) for a in args]}
            if isinstance(tp, type) and issubclass(tp, enum.Enum):
                return {"kind": "choice", "choices": [str(e.value) for e in tp]}
            for t, n in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
                if tp is t:
                    return {"kind": n}
            return {"kind": "any"}
        groups = {"train": P._TRAIN_ARGS, "chat": P._INFER_ARGS, "export": P._INFER_ARGS, "eval": P._EVAL_ARGS}
        classes, fields = {}, {}
        for cls in {c for g in groups.values() for c in g}:
            hints = typing.get_type_hints(cls)
            names = []
            for f in dataclasses.fields(cls):
                if not f.init:
                    continue
                names.append(f.name)
                if f.name not in fields:
                    k = kind(hints.get(f.name, f.type))
                    k.setdefault("optional", False)
                    if k["kind"] != "choice":
                        k.pop("choices", None)
                    fields[f.name] = k
            classes[cls.__name__] = sorted(names)
        out["keys"] = {"llamafactory": pk.get("llamafactory"),
                       "subcommands": {s: [c.__name__ for c in g] for s, g in groups.items()},
                       "classes": classes, "fields": dict(sorted(fields.items()))}
    except Exception as e:
        out["llamafactory_error"] = err(e)
if "llamafactory" in pk and "llamafactory_error" not in out and os.environ.get("LFM_PROBE_KEYS", "1") == "1":
    try:
        from llamafactory.data.template import TEMPLATES
        def texts(fmt):
            found = []
            for slot in (getattr(fmt, "slots", None) or []):
                if isinstance(slot, str):
                    found.append(slot)
                elif isinstance(slot, (set, frozenset)):
                    found.extend(x for x in slot if isinstance(x, str))
            return found
        used_tokens = {}
        for name, t in TEMPLATES.items():
            sw = [w for w in (getattr(t, "stop_words", None) or []) if isinstance(w, str)]
            slots = []
            for attr in ("format_user", "format_assistant", "format_system", "format_prefix"):
                slots += texts(getattr(t, attr, None))
            used = [w for w in sw if any(w in s for s in slots)]
            if getattr(t, "replace_eos", False) and sw and sw[0] not in used:
                used.insert(0, sw[0])
            if used:
                used_tokens[name] = used
        out["template_tokens"] = used_tokens
    except Exception as e:
        out["template_error"] = err(e)
out["seconds"] = round(time.time() - t0, 2)
sys.stdout.write("\nLFM_PROBE " + json.dumps(out, sort_keys=True) + "\n")
"""#
}
