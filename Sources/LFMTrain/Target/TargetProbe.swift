import Foundation

/// What the target environment has, as its own Python sees it (`ProbeScript`), plus the facts
/// lfm measures itself each time (free disk, /dev/shm). Decoded from snake_case JSON.
public struct TargetProbe: Codable, Sendable, Equatable {
    public struct Device: Codable, Sendable, Equatable {
        public var name: String
        public var memoryBytes: Int64?
        /// `8.0`, `7.5` (CUDA); nil elsewhere.
        public var computeCapability: String?

        public init(name: String, memoryBytes: Int64? = nil, computeCapability: String? = nil) {
            self.name = name
            self.memoryBytes = memoryBytes
            self.computeCapability = computeCapability
        }

        enum CodingKeys: String, CodingKey {
            case name, memoryBytes = "memory_bytes", computeCapability = "compute_capability"
        }

        /// `8.0` → 8.0; nil when unknown.
        public var capability: Double? { computeCapability.flatMap(Double.init) }
    }

    public struct SMIDevice: Codable, Sendable, Equatable {
        public var name: String
        public var memoryMib: Int?
        public var computeCapability: String?
        public var driver: String?

        enum CodingKeys: String, CodingKey {
            case name, memoryMib = "memory_mib", computeCapability = "compute_capability", driver
        }
    }

    enum CodingKeys: String, CodingKey {
        case probeVersion = "probe_version", python, executable, cpuCount = "cpu_count", packages, accelerator, devices
        case torchCuda = "torch_cuda", torchHip = "torch_hip", bf16Supported = "bf16_supported", nvidiaSmi = "nvidia_smi"
        case torchError = "torch_error", torchaudioError = "torchaudio_error", torchvisionError = "torchvision_error"
        case transformersError = "transformers_error", llamafactoryError = "llamafactory_error", keys, seconds
        case templateTokens = "template_tokens", templateError = "template_error"
    }

    public var probeVersion: Int = ProbeScript.version
    public var python: String?
    public var executable: String?
    public var cpuCount: Int?
    /// Installed distributions: llamafactory, torch, torchaudio, torchvision, transformers, ...
    public var packages: [String: String] = [:]
    /// `cuda`, `rocm`, `npu`, `mps` or `cpu`: where torch would train.
    public var accelerator: String = "cpu"
    public var devices: [Device] = []
    /// torch.version.cuda / torch.version.hip (the CUDA/ROCm torch was built for; set even on a
    /// machine without a GPU).
    public var torchCuda: String?
    public var torchHip: String?
    /// transformers' `is_torch_bf16_gpu_available()`: what its TrainingArguments checks for `bf16: true`.
    public var bf16Supported: Bool?
    public var nvidiaSmi: [SMIDevice]?
    public var torchError: String?
    public var torchaudioError: String?
    public var torchvisionError: String?
    public var transformersError: String?
    /// Importing llamafactory.hparams failed (its dependency check, a broken install).
    public var llamafactoryError: String?
    /// The keys LLaMA-Factory's argument dataclasses accept, per subcommand.
    public var keys: KeyCatalog?
    /// Chat template → the stop words it writes into every example (LLaMA-Factory adds those
    /// missing from the tokenizer as new tokens: `resize_vocab` needed).
    public var templateTokens: [String: [String]]?
    public var templateError: String?
    /// How long the probe took, in seconds.
    public var seconds: Double?

    public init() {}

    public var llamaFactoryVersion: String? { packages["llamafactory"] }
    public var torchVersion: String? { packages["torch"] }
    public var hasGPU: Bool { accelerator != "cpu" && accelerator != "mps" }

    /// Plain coders: the CodingKeys are snake_case already, and a key strategy would also
    /// rewrite dictionary keys (package and config key names).
    static let decoder = JSONDecoder()
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// The probe's `LFM_PROBE {json}` line out of its stdout (imports may print before it).
    public static func parse(stdout: String) throws -> TargetProbe {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix(ProbeScript.marker) }) else {
            throw ProbeError.noResult(stdout.suffix(400).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try decoder.decode(TargetProbe.self, from: Data(line.dropFirst(ProbeScript.marker.count).utf8))
    }

    public func encoded() throws -> Data { try Self.encoder.encode(self) }
}

/// What lfm measures on this machine every time (it changes between runs).
public struct MachineFacts: Codable, Sendable, Equatable {
    /// Free bytes on the file system that will hold the output directory.
    public var freeDiskBytes: Int64?
    /// The directory actually measured (the nearest existing ancestor of the output dir).
    public var diskPath: String?
    /// Total size of /dev/shm (Docker's default is 64 MiB).
    public var shmBytes: Int64?
    public var cpuCount: Int

    enum CodingKeys: String, CodingKey {
        case freeDiskBytes = "free_disk_bytes", diskPath = "disk_path", shmBytes = "shm_bytes", cpuCount = "cpu_count"
    }

    public init(freeDiskBytes: Int64? = nil, diskPath: String? = nil, shmBytes: Int64? = nil, cpuCount: Int) {
        self.freeDiskBytes = freeDiskBytes
        self.diskPath = diskPath
        self.shmBytes = shmBytes
        self.cpuCount = cpuCount
    }

    /// Measures free space at `outputDir` (or its nearest existing parent) and /dev/shm.
    public static func measure(outputDir: String?) -> MachineFacts {
        var facts = MachineFacts(cpuCount: ProcessInfo.processInfo.activeProcessorCount)
        if var path = outputDir {
            while !FileManager.default.fileExists(atPath: path), path != "/", !path.isEmpty {
                path = (path as NSString).deletingLastPathComponent
            }
            if let free = statfs(path)?.free { facts.freeDiskBytes = free; facts.diskPath = path }
        }
        facts.shmBytes = statfs("/dev/shm")?.total
        return facts
    }

    static func statfs(_ path: String) -> (total: Int64, free: Int64)? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let block = Int64(s.f_frsize)
        return (Int64(s.f_blocks) * block, Int64(s.f_bavail) * block)
    }
}

public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPython(String)
    case noResult(String)
    case failed(String)
    case timedOut(Int)

    public var description: String {
        switch self {
        case .noPython(let where_): return "no Python interpreter found for \(where_)"
        case .noResult(let tail): return "the probe printed no result" + (tail.isEmpty ? "" : ": \(tail)")
        case .failed(let message): return "the probe failed: \(message)"
        case .timedOut(let seconds): return "the probe did not finish within \(seconds) s"
        }
    }
}
