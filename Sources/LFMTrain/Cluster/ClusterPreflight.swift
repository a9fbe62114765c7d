import Foundation

/// Checks before a run leaves this machine (Slurm) or spans several (torchrun across nodes):
/// every path the job needs must be absolute and on storage the nodes share, and `/dev/shm`
/// must be large enough for PyTorch's DataLoader workers and NCCL ("bus error … not enough shm").
public enum ClusterPreflight {
    /// Below this, `/dev/shm` gets a warning (Docker's default is 64 MiB).
    public static let minimumShmBytes: UInt64 = 1 << 30

    /// Folders that are private to one host.
    static let hostLocal = ["/tmp", "/var/tmp", "/dev/shm", "/run/user"]

    /// Warnings (not errors: a one-node cluster, or a /tmp that is shared, is fine).
    /// - Parameters:
    ///   - paths: what the job reads or writes, by name (`model`, `dataset_dir`, `output_dir`,
    ///     `env`, `run dir`).
    ///   - shmBytes: the size of this host's `/dev/shm` (nil: unknown).
    public static func warnings(paths: [(what: String, path: String)], shmBytes: UInt64?,
                                where host: String = "this host") -> [String] {
        var result: [String] = []
        for (what, path) in paths {
            if !path.hasPrefix("/") {
                result.append("\(what) \(path) is a relative path; the job runs elsewhere: give an absolute path on shared storage")
                continue
            }
            if let dir = hostLocal.first(where: { path == $0 || path.hasPrefix($0 + "/") }) {
                result.append("\(what) \(path) is under \(dir) of \(host); every node needs it at the same path: use shared storage (NFS, Lustre, …)")
            }
        }
        if let shmBytes, shmBytes < minimumShmBytes {
            let mib = shmBytes / (1 << 20)
            result.append("/dev/shm on \(host) has only \(mib) MiB; DataLoader workers and NCCL need more (\"bus error … not enough shm\"): enlarge it (docker --shm-size=16g) or set dataloader_num_workers=0")
        }
        return result
    }

    /// The size of `/dev/shm` here, or nil when there is none.
    public static func shmSize(path: String = "/dev/shm") -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_blocks) * UInt64(info.f_frsize)
    }

    /// A model argument that names a local directory (the others are hub ids).
    public static func isLocalPath(_ model: String) -> Bool {
        model.hasPrefix("/") || model.hasPrefix(".") || model.hasPrefix("~")
    }
}
