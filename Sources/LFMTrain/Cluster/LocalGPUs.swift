import Foundation

/// How many GPUs this machine offers a training process, without starting Python: the entries
/// of `CUDA_VISIBLE_DEVICES` when it is set, else the NVIDIA driver's `/proc/driver/nvidia/gpus/*`.
public enum LocalGPUs {
    public static func count(environment: [String: String] = ProcessInfo.processInfo.environment,
                             procDirectory: String = "/proc/driver/nvidia/gpus") -> Int {
        if let visible = environment["CUDA_VISIBLE_DEVICES"] {
            let ids = visible.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            // "-1" or "" hide every GPU; a list stops at its first invalid entry, as CUDA reads it.
            var n = 0
            for id in ids { if id.isEmpty || id.hasPrefix("-") { break }; n += 1 }
            return n
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: procDirectory)) ?? []).count
    }

    /// Processes per node when none was asked for: one per GPU, 1 without GPUs (never 0).
    public static func defaultProcessesPerNode(gpus: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let gpus, !gpus.isEmpty { return max(1, gpus.split(separator: ",").count) }
        return max(1, count(environment: environment))
    }
}
