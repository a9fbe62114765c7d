import Foundation
import LFMCore

/// How many records the selected datasets hold (for the run-length estimate).
enum DatasetRecords {
    /// Files larger than this are not counted before a launch (the estimate is skipped).
    static let countLimit = 256 << 20

    /// The total, or nil when a dataset is remote, unreadable or too large to count quickly.
    static func count(_ datasets: [(name: String, path: String?)]) -> Int? {
        var total = 0
        for dataset in datasets {
            guard let path = dataset.path,
                  let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
                  size <= countLimit
            else { return nil }
            let layout: RecordLayout? = path.hasSuffix(".txt") ? .text : nil
            guard let reader = try? RecordReader(path: path, layoutHint: layout) else { return nil }
            var count = 0
            do { try reader.forEach { _, _ in count += 1 } } catch { return nil }
            total += count
        }
        return total
    }
}
