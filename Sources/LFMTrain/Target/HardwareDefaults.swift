import Foundation
import YAML

/// The values lfm picks for the machine a run is planned on, in place of the templates'
/// GPU-box numbers: precision from the probed devices, worker counts from the CPU cores and
/// /dev/shm, logging and checkpoint intervals from the run's length. They replace template
/// values only: `--config` keys, lfm.yaml defaults, flags and `--set` all win.
public struct HardwareDefaults: Sendable, Equatable {
    public struct Choice: Sendable, Equatable, Encodable {
        public var key: String
        public var value: YAMLNode
        public var reason: String

        public init(key: String, value: YAMLNode, reason: String) {
            self.key = key
            self.value = value
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case key, value, reason }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(value.scalarText ?? "", forKey: .value)
            try c.encode(reason, forKey: .reason)
        }
    }

    public var choices: [Choice] = []
    /// The plan's estimate of optimizer steps (nil when the record count is unknown).
    public var totalSteps: Int?

    public init(choices: [Choice] = [], totalSteps: Int? = nil) {
        self.choices = choices
        self.totalSteps = totalSteps
    }

    /// - Parameters:
    ///   - config: the config as templates and flags render it (batch size, epochs, ...).
    ///   - probe: the target environment; nil keeps the templates' precision.
    ///   - records: examples in the selected datasets (before `max_samples`), nil when unknown.
    ///   - gpus: `--gpus 0,1`: only these devices count.
    public static func choose(config: YAMLMapping, probe: TargetProbe?, facts: MachineFacts,
                              records: Int?, gpus: String? = nil) -> HardwareDefaults {
        var result = HardwareDefaults()
        if let probe { result.choices += precision(probe: probe, gpus: gpus) }
        let cores = probe?.cpuCount ?? facts.cpuCount
        let onCPU = probe.map { !$0.hasGPU } ?? false
        if let current = config["preprocessing_num_workers"]?.intValue {
            var value = min(current, max(1, cores))
            var why = "\(cores) CPU core\(cores == 1 ? "" : "s")"
            if let records, records < 1000 {
                value = 1
                why = "\(records) records (small shards cannot be packed)"
            }
            if value < current { result.choices.append(Choice(key: "preprocessing_num_workers", value: .int(value), reason: why)) }
        }
        if let current = config["dataloader_num_workers"]?.intValue, current > 0 {
            var value = min(current, max(0, cores / 2))
            var why = "\(cores) CPU core\(cores == 1 ? "" : "s")"
            if onCPU {
                value = 0
                why = "CPU training (loader workers would take its cores)"
            } else if let shm = facts.shmBytes, shm < 1 << 30 {
                value = 0
                why = "/dev/shm is only \(shm >> 20) MiB (docker run --shm-size=8g)"
            }
            if value < current { result.choices.append(Choice(key: "dataloader_num_workers", value: .int(value), reason: why)) }
        }
        let devices = probe.map { max(1, selected($0.devices, gpus: gpus).count) } ?? 1
        guard let total = totalSteps(config: config, records: records, devices: devices) else { return result }
        result.totalSteps = total
        let perLog = max(1, total / 10)
        if let current = config["logging_steps"]?.doubleValue, Double(perLog) < current {
            result.choices.append(Choice(key: "logging_steps", value: .int(perLog),
                                         reason: "~\(total) steps: ≥ 10 loss points"))
        }
        let perSave = max(1, Int((Double(total) / 10).rounded(.up)))
        if let current = config["save_steps"]?.doubleValue, Double(perSave) < current {
            result.choices.append(Choice(key: "save_steps", value: .int(perSave),
                                         reason: "~\(total) steps: a checkpoint every ~10%"))
        }
        return result
    }

    /// bf16 on CUDA devices of compute capability ≥ 8.0 (and where transformers agrees), fp16 on
    /// other GPUs, fp32 on the CPU (bf16 there fails: "Your setup doesn't support bf16/gpu").
    static func precision(probe: TargetProbe, gpus: String?) -> [Choice] {
        func pick(bf16: Bool, fp16: Bool, _ reason: String) -> [Choice] {
            [Choice(key: "bf16", value: .bool(bf16), reason: reason), Choice(key: "fp16", value: .bool(fp16), reason: reason)]
        }
        let devices = selected(probe.devices, gpus: gpus)
        switch probe.accelerator {
        case "cuda":
            let names = Set(devices.map(\.name)).sorted().joined(separator: ", ")
            let lowest = devices.compactMap(\.capability).min()
            if let lowest, lowest >= 8.0, probe.bf16Supported != false {
                return pick(bf16: true, fp16: false, "\(names), cc \(format(lowest)): bf16")
            }
            let cc = lowest.map { "cc \(format($0))" } ?? "no bf16 support"
            return pick(bf16: false, fp16: true, "\(names), \(cc): fp16 (bf16 needs cc ≥ 8.0)")
        case "rocm", "npu":
            if probe.bf16Supported == true { return pick(bf16: true, fp16: false, "\(probe.accelerator) device with bf16") }
            return pick(bf16: false, fp16: true, "\(probe.accelerator) device without bf16: fp16")
        case "mps":
            if probe.bf16Supported == true { return pick(bf16: true, fp16: false, "Apple GPU (MPS) with bf16") }
            return pick(bf16: false, fp16: false, "Apple GPU (MPS) without bf16: fp32")
        default:
            return pick(bf16: false, fp16: false, "no GPU: fp32 on the CPU")
        }
    }

    static func format(_ cc: Double) -> String { String(format: "%.1f", cc) }

    /// The devices `--gpus` selects (all when nil or unparsable).
    static func selected(_ devices: [TargetProbe.Device], gpus: String?) -> [TargetProbe.Device] {
        guard let gpus, !gpus.isEmpty else { return devices }
        let indices = gpus.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let picked = indices.compactMap { devices.indices.contains($0) ? devices[$0] : nil }
        return picked.isEmpty ? devices : picked
    }

    /// Optimizer steps the run will take: `max_steps` when set, else
    /// ceil(examples / (batch × accumulation × devices)) × epochs, where examples are the records
    /// capped by `max_samples` per dataset (approximated on the total) less `val_size`.
    public static func totalSteps(config: YAMLMapping, records: Int?, devices: Int = 1) -> Int? {
        if let maxSteps = config["max_steps"]?.intValue, maxSteps > 0 { return maxSteps }
        guard let records else { return nil }
        var examples = Double(records)
        if let cap = config["max_samples"]?.intValue, cap > 0 {
            let datasets = max(1, config["dataset"]?.scalarText?.split(separator: ",").count ?? 1)
            examples = min(examples, Double(cap * datasets))
        }
        if let val = config["val_size"]?.doubleValue, val > 0 {
            examples -= val < 1 ? examples * val : val
        }
        let batch = Double(max(1, config["per_device_train_batch_size"]?.intValue ?? 1))
        let accumulation = Double(max(1, config["gradient_accumulation_steps"]?.intValue ?? 1))
        let epochs = config["num_train_epochs"]?.doubleValue ?? 3
        let batches = (examples / (batch * Double(devices))).rounded(.up)
        let perEpoch = max(1, (batches / accumulation).rounded(.up))
        return max(1, Int((perEpoch * epochs).rounded(.up)))
    }
}
