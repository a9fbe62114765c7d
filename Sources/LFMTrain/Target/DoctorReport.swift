import Foundation

/// `lfm doctor`: what the target environment has, and a verdict with the fix for everything
/// that would stop or slow a run.
public struct DoctorReport: Encodable, Sendable {
    public struct Verdict: Encodable, Sendable, Equatable {
        public enum Level: String, Encodable, Sendable { case ok, warning, error }
        public var level: Level
        /// `environment`, `llamafactory`, `torch`, `torch_extensions`, `gpu`, `metrics`, `shm`, `disk`, `cpu`.
        public var check: String
        public var message: String
        public var fix: String?

        public init(_ level: Level, _ check: String, _ message: String, fix: String? = nil) {
            self.level = level
            self.check = check
            self.message = message
            self.fix = fix
        }
    }

    public var environment: String
    public var envPrefix: String?
    public var python: String?
    public var pythonPath: String?
    public var llamafactory: String?
    public var torch: String?
    public var transformers: String?
    public var accelerator: String?
    /// `no GPU`, or `2 × NVIDIA A100-SXM4-80GB (80 GiB, cc 8.0)`.
    public var gpu: String
    public var devices: [TargetProbe.Device]
    public var bf16Supported: Bool?
    public var cpuCount: Int
    public var freeDiskBytes: Int64?
    public var diskPath: String?
    public var shmBytes: Int64?
    /// The probe result came from the cache.
    public var cached: Bool
    public var verdicts: [Verdict]

    enum CodingKeys: String, CodingKey {
        case environment, envPrefix = "env_prefix", python, pythonPath = "python_path", llamafactory, torch, transformers, accelerator, gpu
        case devices, bf16Supported = "bf16_supported", cpuCount = "cpu_count", freeDiskBytes = "free_disk_bytes"
        case diskPath = "disk_path", shmBytes = "shm_bytes", cached, verdicts
    }

    public var hasErrors: Bool { verdicts.contains { $0.level == .error } }

    /// The version lfm's templates and bundled key list follow.
    public static let testedVersion = "0.9.5"

    /// - Parameters:
    ///   - environment: the resolved environment (nil when resolving failed: `environmentError`).
    ///   - cliError: why `llamafactory-cli` was not found (nil when it was).
    ///   - probe: what the environment's Python reported (nil: `probeError`).
    public static func diagnose(environment: CondaEnvironment?, environmentError: String? = nil, cliError: String? = nil,
                                probe: TargetProbe?, probeError: String? = nil, cached: Bool = false,
                                facts: MachineFacts) -> DoctorReport {
        var verdicts: [Verdict] = []
        if let environment {
            verdicts.append(Verdict(.ok, "environment", environment.description))
        } else {
            verdicts.append(Verdict(.error, "environment", environmentError ?? "no environment",
                                    fix: "pass --env with a venv or conda prefix path, or a conda env name"))
        }
        if let cliError {
            // The install command goes in the fix, not twice.
            let message = cliError.components(separatedBy: ". Install it:").first ?? cliError
            verdicts.append(Verdict(.error, "llamafactory", message, fix: environment?.installHint))
        }
        if let probeError {
            verdicts.append(Verdict(.error, "probe", "could not run Python in the environment: \(probeError)",
                                    fix: "check that \(environment?.prefix ?? "the environment")/bin/python runs"))
        }
        if let probe { verdicts += checks(probe, environment: environment, cliFound: cliError == nil) }
        if let prefix = environment?.prefix, let metrics = MetricPackages.doctorVerdict(prefix: prefix) { verdicts.append(metrics) }
        verdicts += machineChecks(facts)
        let devices = probe?.devices ?? []
        return DoctorReport(environment: environment?.description ?? (environmentError ?? "none"),
                            envPrefix: environment?.prefix, python: probe?.python, pythonPath: probe?.executable, llamafactory: probe?.llamaFactoryVersion,
                            torch: probe?.torchVersion, transformers: probe?.packages["transformers"],
                            accelerator: probe?.accelerator, gpu: gpuSummary(probe), devices: devices,
                            bf16Supported: probe?.bf16Supported, cpuCount: probe?.cpuCount ?? facts.cpuCount,
                            freeDiskBytes: facts.freeDiskBytes, diskPath: facts.diskPath, shmBytes: facts.shmBytes,
                            cached: cached, verdicts: verdicts)
    }

    static func gpuSummary(_ probe: TargetProbe?) -> String {
        guard let probe else { return "unknown" }
        guard probe.hasGPU, !probe.devices.isEmpty else { return "no GPU" }
        var groups: [(name: String, count: Int, detail: String)] = []
        for d in probe.devices {
            var parts: [String] = []
            if let bytes = d.memoryBytes { parts.append("\((bytes + (1 << 29)) >> 30) GiB") }
            if let cc = d.computeCapability { parts.append("cc \(cc)") }
            let detail = parts.joined(separator: ", ")
            if let i = groups.firstIndex(where: { $0.name == d.name && $0.detail == detail }) { groups[i].count += 1 }
            else { groups.append((d.name, 1, detail)) }
        }
        return groups.map { "\($0.count) × \($0.name)" + ($0.detail.isEmpty ? "" : " (\($0.detail))") }.joined(separator: ", ")
    }

    static func checks(_ probe: TargetProbe, environment: CondaEnvironment?, cliFound: Bool) -> [Verdict] {
        var out: [Verdict] = []
        let pip = environment?.prefix.map { "\($0)/bin/pip" } ?? "pip"
        if let version = probe.llamaFactoryVersion {
            if let error = probe.llamafactoryError {
                out.append(Verdict(.error, "llamafactory", "LLaMA-Factory \(version) is installed but does not import: \(error)",
                                   fix: "\(pip) install llamafactory==\(testedVersion) (it pins the transformers/peft/trl it needs)"))
            } else if version != testedVersion && !version.hasPrefix(testedVersion + ".") {
                out.append(Verdict(.warning, "llamafactory", "LLaMA-Factory \(version); lfm follows \(testedVersion) (templates, key list)",
                                   fix: "\(pip) install llamafactory==\(testedVersion)"))
            } else {
                out.append(Verdict(.ok, "llamafactory", "LLaMA-Factory \(version)"))
            }
        } else if cliFound {
            out.append(Verdict(.error, "llamafactory", "llamafactory-cli exists but the llamafactory package is not installed in this Python",
                               fix: environment?.installHint))
        }
        guard let torch = probe.torchVersion, probe.torchError == nil else {
            out.append(Verdict(.error, "torch", probe.torchError.map { "torch does not import: \($0)" } ?? "torch is not installed",
                               fix: "\(pip) install torch (https://pytorch.org/get-started/locally/ picks the build for your CUDA)"))
            return out
        }
        let build = probe.torchHip.map { "ROCm \($0)" } ?? probe.torchCuda.map { "CUDA \($0)" } ?? "CPU-only build"
        out.append(Verdict(.ok, "torch", "torch \(torch) (\(build))"))
        out += extensionChecks(probe, torch: torch, pip: pip)
        out.append(gpuVerdict(probe, torch: torch, pip: pip))
        return out
    }

    /// torchaudio/torchvision must be built for the same torch (the 0.9.5 install trap: pip
    /// keeps an older torchaudio next to a new torch, and importing it fails).
    static func extensionChecks(_ probe: TargetProbe, torch: String, pip: String) -> [Verdict] {
        var out: [Verdict] = []
        let torchParts = versionParts(torch)
        let local = torch.split(separator: "+").dropFirst().first.map(String.init)
        let index = local.map { "https://download.pytorch.org/whl/\($0)" } ?? "https://download.pytorch.org/whl/<cu128|cpu>"
        for (name, error) in [("torchaudio", probe.torchaudioError), ("torchvision", probe.torchvisionError)] {
            guard let version = probe.packages[name] else { continue }
            let parts = versionParts(version)
            let expected = name == "torchaudio" ? Array(torchParts.prefix(2)) : [0, (torchParts.count > 1 ? torchParts[1] : 0) + 15]
            let otherLocal = version.split(separator: "+").dropFirst().first.map(String.init)
            let wanted = name == "torchaudio" ? "\(expected[0]).\(expected[1])" : "0.\(expected[1])"
            let fix = "\(pip) install torch==\(torch.split(separator: "+")[0]) \(name)==\(wanted).* --index-url \(index)"
            if let error {
                out.append(Verdict(.error, "torch_extensions", "\(name) \(version) does not import with torch \(torch): \(error)", fix: fix))
            } else if Array(parts.prefix(2)) != expected || (local != nil && otherLocal != nil && local != otherLocal) {
                out.append(Verdict(.error, "torch_extensions", "\(name) \(version) is built for another torch than \(torch)", fix: fix))
            }
        }
        return out
    }

    static func gpuVerdict(_ probe: TargetProbe, torch: String, pip: String) -> Verdict {
        let smi = probe.nvidiaSmi ?? []
        if !probe.hasGPU {
            if !smi.isEmpty {
                let cuda = probe.torchCuda.map { "torch is built for CUDA \($0), the driver (\(smi[0].driver ?? "?")) is too old for it or not usable" }
                    ?? "torch \(torch) is a CPU-only build"
                return Verdict(.error, "gpu", "nvidia-smi sees \(smi.count) GPU(s) (\(smi[0].name)) but torch cannot use them: \(cuda)",
                               fix: "\(pip) install torch --index-url https://download.pytorch.org/whl/cu<your CUDA, e.g. 126> (see nvidia-smi's CUDA Version)")
            }
            if probe.accelerator == "mps" { return Verdict(.ok, "gpu", "Apple GPU (MPS)") }
            return Verdict(.warning, "gpu", "no GPU: training runs on the CPU in fp32 (tiny models only)",
                           fix: "train on a machine with an NVIDIA GPU (lfm train --env there)")
        }
        let precision = HardwareDefaults.precision(probe: probe, gpus: nil)
        let bf16 = precision.first { $0.key == "bf16" }?.value.boolValue == true
        return Verdict(.ok, "gpu", gpuSummary(probe) + (bf16 ? ": bf16" : ": fp16 (no bf16)"))
    }

    static func machineChecks(_ facts: MachineFacts) -> [Verdict] {
        var out: [Verdict] = [Verdict(.ok, "cpu", "\(facts.cpuCount) CPU core\(facts.cpuCount == 1 ? "" : "s")")]
        if let shm = facts.shmBytes {
            if shm < 1 << 30 {
                out.append(Verdict(.warning, "shm", "/dev/shm is \(shm >> 20) MiB: DataLoader workers crash with \"bus error\"; lfm plans dataloader_num_workers: 0",
                                   fix: "docker run --shm-size=8g ... (or --ipc=host)"))
            } else {
                out.append(Verdict(.ok, "shm", "/dev/shm \(shm >> 30) GiB"))
            }
        }
        if let free = facts.freeDiskBytes {
            let where_ = facts.diskPath ?? "the output directory"
            if free < 10 << 30 {
                out.append(Verdict(.warning, "disk", "\(free >> 20) MiB free at \(where_): checkpoints of large models need tens of GiB",
                                   fix: "free space, or pass --output-dir on a larger disk"))
            } else {
                out.append(Verdict(.ok, "disk", "\(free >> 30) GiB free at \(where_)"))
            }
        }
        return out
    }

    static func versionParts(_ version: String) -> [Int] {
        version.split(separator: "+")[0].split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) ?? 0 }
    }
}
