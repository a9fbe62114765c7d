#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LFMSystem

/// An external sort in fixed memory: values are collected in a buffer of `bufferCapacity`; each
/// full buffer is sorted and written as one run to an ``AnonymousTempFile`` (no name, so nothing
/// is left behind even on kill -9); ``merge(_:memory:_:)`` reads all runs back in one k-way merge,
/// in ascending order. Used by ``DuplicateIndex`` when a file has more records than its memory
/// budget holds.
final class SortedRuns<Element: BitwiseCopyable & Comparable> {
    private let file: AnonymousTempFile
    private(set) var runs: [(offset: Int, count: Int)] = []
    private var buffer: [Element] = []
    let bufferCapacity: Int
    /// A write failed (`ENOSPC`...): the runs are incomplete; the caller must not trust a merge.
    private(set) var failed = false
    /// Tests: every write fails as on a full disk.
    private let failWrites: Bool

    /// Nil when no temporary file can be created (see ``AnonymousTempFile``).
    init?(bufferCapacity: Int, directories: [String]? = nil, failWrites: Bool = false) {
        guard let file = AnonymousTempFile(directories: directories) else { return nil }
        self.file = file
        self.failWrites = failWrites
        self.bufferCapacity = max(1, bufferCapacity)
        buffer.reserveCapacity(self.bufferCapacity)
    }

    /// Values held in memory now (at most `bufferCapacity`).
    var buffered: Int { buffer.count }
    /// Bytes written to the temporary file.
    var bytesWritten: Int { file.size }

    @inline(__always)
    func append(_ value: Element) {
        buffer.append(value)
        if buffer.count == bufferCapacity { flush() }
    }

    /// Writes the buffer as a sorted run.
    func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard !failed else { return }
        buffer.sort()
        let offset = file.size
        let error = failWrites ? ENOSPC : buffer.withUnsafeBytes { file.append($0) }
        if error != 0 { failed = true; return }
        runs.append((offset, buffer.count))
    }

    /// The runs of all `sources` (each flushed first), merged in ascending order; `transform`
    /// maps each source's values first (it must keep their order within the source). `memory`:
    /// bytes of read buffers, shared by all runs. Throws when a source failed or a read fails.
    static func merge(_ sources: [(runs: SortedRuns, transform: (Element) -> Element)], memory: Int, _ body: (Element) -> Void) throws {
        for source in sources { source.runs.flush() }
        guard !sources.contains(where: { $0.runs.failed }) else { throw SpillError.writeFailed }
        var readers: [RunReader] = []
        let total = sources.reduce(0) { $0 + $1.runs.runs.count }
        // `memory` shared by the runs, but at least 64 values a run: past ~1,365 runs (of 2 MiB:
        // ~120M records, a ~120 GB file) the buffers grow by 1.5 KiB a run, ~17 MiB at 1 TB.
        let perRun = min(1 << 16, max(64, memory / max(1, total) / MemoryLayout<Element>.stride))
        for source in sources {
            for run in source.runs.runs {
                readers.append(RunReader(file: source.runs.file, offset: run.offset, count: run.count, capacity: perRun, transform: source.transform))
            }
        }
        // A binary min-heap of readers by their current value.
        var heap: [Int] = []
        for i in readers.indices where try readers[i].advance() { heap.append(i) }
        func less(_ a: Int, _ b: Int) -> Bool { readers[heap[a]].current < readers[heap[b]].current }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(l, m) { m = l }
                if r < heap.count, less(r, m) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while let top = heap.first {
            body(readers[top].current)
            if try readers[top].advance() {
                siftDown(0)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
                if !heap.isEmpty { siftDown(0) }
            }
        }
    }

    /// One run read back in pieces of `capacity` values.
    private struct RunReader {
        let file: AnonymousTempFile
        var offset: Int
        var remaining: Int
        var piece: [Element] = []
        var next = 0
        let capacity: Int
        let transform: (Element) -> Element
        var current: Element! = nil

        init(file: AnonymousTempFile, offset: Int, count: Int, capacity: Int, transform: @escaping (Element) -> Element) {
            self.file = file
            self.offset = offset
            remaining = count
            self.capacity = capacity
            self.transform = transform
        }

        /// Moves to the next value; false at the end of the run.
        mutating func advance() throws -> Bool {
            if next == piece.count {
                guard remaining > 0 else { return false }
                let n = min(capacity, remaining)
                let stride = MemoryLayout<Element>.stride
                let file = self.file, at = offset
                var ok = true
                piece = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
                    let raw = UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: n * stride)
                    ok = file.read(into: raw, at: at) == n * stride
                    initialized = ok ? n : 0
                }
                guard ok else { throw SpillError.readFailed }
                offset += n * stride
                remaining -= n
                next = 0
            }
            current = transform(piece[next])
            next += 1
            return true
        }
    }
}

/// A spill file could not be written or read back (`ENOSPC`, `EIO`).
enum SpillError: Error, CustomStringConvertible {
    case writeFailed, readFailed
    var description: String { self == .writeFailed ? "the temporary file could not be written" : "the temporary file could not be read back" }
}
