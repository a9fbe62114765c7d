import Foundation
import LFMSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Parsing ahead on a second thread

extension RecordReader {
    /// Files smaller than this are read on the calling thread.
    public static let parseAheadMinimumSize = 4 << 20

    /// The same as ``forEach(_:)`` (same records, same order, same errors, `body` on the calling
    /// thread), but the file is read and parsed on a second thread, up to a few batches ahead of
    /// `body`, so that parsing and validating use two cores. Falls back to ``forEach(_:)`` for
    /// small files and on one core. If `body` throws, the parser is stopped and the error rethrown.
    public func forEachParsingAhead(_ body: (RecordLocation, JSONValue) throws -> Void) throws {
        try forEachParsingAhead(preparing: { _ in () }) { location, value, _ in try body(location, value) }
    }

    /// ``forEachParsingAhead(_:)`` that also runs `prepare` on each record on the parsing thread
    /// (work that needs only the record, e.g. its duplicate hash) and hands its result to `body`.
    public func forEachParsingAhead<Prepared: Sendable>(preparing prepare: @escaping @Sendable (JSONValue) -> Prepared,
                                                        _ body: (RecordLocation, JSONValue, Prepared) throws -> Void) throws {
        guard fileSize >= Self.parseAheadMinimumSize, Self.usableCPUs() >= 2 else {
            return try forEach { location, value in try body(location, value, prepare(value)) }
        }
        let queue = ParseAheadQueue<Prepared>()
        let done = DispatchSemaphore(value: 0)
        let reader = UncheckedSendable(self)
        let thread = Thread {
            queue.produce(reader.value, prepare)
            done.signal()
        }
        thread.stackSize = 16 << 20  // the parser recurses up to JSONParser.maxDepth levels
        deliveredBytes = 0
        thread.start()
        var bodyError: Error?
        while bodyError == nil, var batch = queue.pop() {
            deliveredBytes = batch.bytesRead
            for (location, value, prepared) in batch.records {
                do { try body(location, value, prepared) } catch {
                    bodyError = error
                    queue.cancel()
                    break
                }
            }
            queue.giveBack(&batch.records)
        }
        done.wait()
        deliveredBytes = nil
        if let bodyError { throw bodyError }
        if let failure = queue.failure { throw failure }
    }

    fileprivate var readBytesForProducer: Int { readBytes }

    /// CPUs this process may run on (its affinity mask, so `taskset -c 0 lfm ...` reads on one thread).
    static func usableCPUs() -> Int {
        #if os(Linux)
        // Cpus_allowed is a hex mask, in comma-separated groups of 32 bits.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let mask = line.dropFirst("Cpus_allowed:".count)
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16)?.nonzeroBitCount ?? 0) }
            if count > 0 { return count }
        }
        #endif
        return sysconf(Int32(_SC_NPROCESSORS_ONLN))
    }
}

private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A bounded FIFO of parsed record batches between the parsing thread and the consumer.
private final class ParseAheadQueue<Prepared: Sendable>: @unchecked Sendable {
    struct Batch {
        var records: [(RecordLocation, JSONValue, Prepared)]
        var bytesRead: Int
    }
    private struct Cancelled: Error {}

    static var batchSize: Int { 256 }
    static var depth: Int { 4 }

    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var returned: [[(RecordLocation, JSONValue, Prepared)]] = []
    private var finished = false
    private var cancelled = false
    private(set) var failure: Error?

    /// Runs on the parsing thread.
    func produce(_ reader: RecordReader, _ prepare: (JSONValue) -> Prepared) {
        var records: [(RecordLocation, JSONValue, Prepared)] = []
        records.reserveCapacity(Self.batchSize)
        var failure: Error?
        do {
            try reader.forEach { location, value in
                records.append((location, value, prepare(value)))
                if records.count == Self.batchSize {
                    guard push(Batch(records: records, bytesRead: reader.readBytesForProducer)) else { throw Cancelled() }
                    records = []
                    records.reserveCapacity(Self.batchSize)
                }
            }
        } catch is Cancelled {
            records = []
        } catch {
            failure = error
        }
        // The records before an error are delivered before it.
        if !records.isEmpty { _ = push(Batch(records: records, bytesRead: reader.readBytesForProducer)) }
        condition.lock()
        finished = true
        self.failure = failure
        condition.broadcast()
        condition.unlock()
    }

    private func push(_ batch: Batch) -> Bool {
        var garbage: [[(RecordLocation, JSONValue, Prepared)]] = []
        condition.lock()
        defer {
            condition.unlock()
            garbage.removeAll()  // frees consumed records here, on the thread that allocated them
        }
        while batches.count >= Self.depth && !cancelled { condition.wait() }
        swap(&garbage, &returned)
        if cancelled { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// Called by the consumer with records it is done with: they are freed by the parsing thread,
    /// because freeing memory of another thread's malloc arena takes that arena's lock, and the
    /// two threads then spent ~15% of their time waking each other on it.
    func giveBack(_ records: inout [(RecordLocation, JSONValue, Prepared)]) {
        condition.lock()
        returned.append([])
        swap(&returned[returned.count - 1], &records)
        condition.unlock()
    }

    /// The next batch, or nil once the producer has finished and everything was taken.
    func pop() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if batches.isEmpty { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
