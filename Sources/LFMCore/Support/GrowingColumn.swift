import Foundation

/// A `realloc`-grown array of plain values (large blocks grow without a copy, so without the
/// old + new peak of `Array`'s doubling). Not copyable: one owner, which frees the storage when
/// it goes away.
public struct GrowingColumn<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>?
    @usableFromInline var capacity = 0
    @usableFromInline var stored = 0
    @inlinable public var count: Int { stored }

    public init() {}

    deinit {
        if let base { Foundation.free(base) }
    }

    @usableFromInline
    mutating func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        capacity = max(capacity * 2, needed, 4096)
        base = UnsafeMutablePointer<Element>(OpaquePointer(realloc(base, capacity * MemoryLayout<Element>.stride)!))
    }

    @inlinable
    public mutating func append(_ value: Element) {
        if count == capacity { reserve(count + 1) }
        base![count] = value
        stored += 1
    }

    @inlinable
    public mutating func append(contentsOf values: UnsafeBufferPointer<Element>) {
        reserve(count + values.count)
        if let source = values.baseAddress { (base! + count).update(from: source, count: values.count) }
        stored += values.count
    }

    @inlinable
    public subscript(i: Int) -> Element { base![i] }

    /// The values `range` (within `0..<count`), valid while the column is neither grown nor gone.
    @inlinable
    public func buffer(_ range: Range<Int>) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count)
    }
}
