import Foundation
import LFMCore

/// One `checkpoint-N` folder of a run's output directory, with what its `trainer_state.json` says.
public struct Checkpoint: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var step: Int
    /// Weights and `trainer_state.json` are there (a save cut short by Ctrl-C leaves neither or one).
    public var complete: Bool
    /// `optimizer.pt` (or a DeepSpeed `global_step*` folder): absent with `save_only_model: true`.
    public var hasOptimizer: Bool
    public var globalStep: Int?
    public var maxSteps: Int?
    public var epoch: Double?
    public var numTrainEpochs: Double?

    enum CodingKeys: String, CodingKey {
        case name, path, step, complete, epoch
        case hasOptimizer = "has_optimizer", globalStep = "global_step", maxSteps = "max_steps", numTrainEpochs = "num_train_epochs"
    }

    static let weightFiles = ["adapter_model.safetensors", "adapter_model.bin", "model.safetensors", "model.safetensors.index.json",
                              "pytorch_model.bin", "pytorch_model.bin.index.json"]

    /// The checkpoints in `outputDir`, oldest first.
    public static func scan(outputDir: String) -> [Checkpoint] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: outputDir)) ?? []
        return names.compactMap { name -> Checkpoint? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let path = outputDir + "/" + name
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return nil }
            let files = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            var checkpoint = Checkpoint(name: name, path: path, step: step, complete: false,
                                        hasOptimizer: files.contains("optimizer.pt") || files.contains("optimizer.bin")
                                            || files.contains { $0.hasPrefix("global_step") })
            if let data = fm.contents(atPath: path + "/trainer_state.json"), let state = try? JSONParser.parse([UInt8](data)) {
                checkpoint.globalStep = state["global_step"]?.intValue
                checkpoint.maxSteps = state["max_steps"]?.intValue
                checkpoint.epoch = state["epoch"]?.doubleValue
                checkpoint.numTrainEpochs = state["num_train_epochs"]?.doubleValue
                checkpoint.complete = files.contains { weightFiles.contains($0) }
            }
            return checkpoint
        }.sorted { $0.step < $1.step }
    }

    /// What `lfm status` prints: `checkpoint-4 (step 4 of 6, epoch 2.0)`.
    public var summary: String {
        var parts: [String] = []
        if let g = globalStep { parts.append("step \(g)" + (maxSteps.map { " of \($0)" } ?? "")) }
        if let e = epoch { parts.append(String(format: "epoch %.2g", e)) }
        if !complete { parts.append("incomplete") } else if !hasOptimizer { parts.append("no optimizer state") }
        return name + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}
