import Foundation
import Glibc

/// The names of lfm's temporary files (`.NAME.lfm-PID-XXXXXX`, next to the file they will
/// replace) and the removal of those left by processes that no longer exist (killed with -9).
public enum TempName {
    /// `.NAME.lfm-PID-`: the writer's process id is in every temporary name.
    public static func prefix(for name: String, pid: Int32 = getpid()) -> String {
        ".\(name).lfm-\(pid)-"
    }

    /// The process id in an lfm temporary name, or nil for any other name.
    public static func writerPID(of name: String) -> Int32? {
        guard name.hasPrefix("."), let marker = name.range(of: ".lfm-", options: .backwards) else { return nil }
        let rest = name[marker.upperBound...]
        guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { return nil }
        return pid
    }

    /// Whether process `pid` exists (kill(pid, 0) succeeds or is refused for permission).
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes, in `directory`, the files, folders and links named like lfm temporaries whose writer is
    /// dead. A live writer's files (this process's included) are kept. Returns the names removed.
    @discardableResult
    public static func removeStale(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let pid = writerPID(of: name), pid != getpid(), !isAlive(pid) else { continue }
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            // A copied folder or a symlink is placed under a temporary name too.
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
        }
        return removed
    }
}
