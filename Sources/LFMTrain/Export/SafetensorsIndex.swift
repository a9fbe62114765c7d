import Foundation
import LFMCore

/// The tensors of a safetensors checkpoint (one file or shards), read from the headers: an
/// 8-byte little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}`,
/// then the data. Tensor data is read on demand.
public struct SafetensorsIndex: Sendable {
    public struct Tensor: Sendable, Equatable {
        public var file: String
        public var dtype: String
        public var shape: [Int]
        /// Absolute byte range in `file`.
        public var start: UInt64
        public var end: UInt64
        public var count: Int { shape.reduce(1, *) }
    }

    public var tensors: [String: Tensor]

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case noWeights(String)
        case badHeader(String)
        public var description: String {
            switch self {
            case .noWeights(let dir): return "\(dir) has no *.safetensors files"
            case .badHeader(let file): return "\(file) is not a readable safetensors file"
            }
        }
    }

    /// Every `*.safetensors` file of a directory (shards included).
    public static func directory(_ dir: String, prefix: String? = nil) throws -> SafetensorsIndex {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".safetensors") && (prefix.map($0.hasPrefix) ?? true) }.sorted()
        guard !files.isEmpty else { throw Failure.noWeights(dir) }
        var all: [String: Tensor] = [:]
        for file in files { all.merge(try header(dir + "/" + file)) { a, _ in a } }
        return SafetensorsIndex(tensors: all)
    }

    public static func file(_ path: String) throws -> SafetensorsIndex {
        SafetensorsIndex(tensors: try header(path))
    }

    static func header(_ path: String) throws -> [String: Tensor] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure.badHeader(path) }
        defer { try? handle.close() }
        guard let lengthBytes = try? handle.read(upToCount: 8), lengthBytes.count == 8 else { throw Failure.badHeader(path) }
        let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length > 1, length < 100_000_000, let json = try? handle.read(upToCount: Int(length)), json.count == Int(length),
              let object = (try? JSONParser.parse([UInt8](json)))?.objectValue else { throw Failure.badHeader(path) }
        var tensors: [String: Tensor] = [:]
        for member in object.members where member.key != "__metadata__" {
            guard let t = member.value.objectValue, let dtype = t["dtype"]?.stringValue,
                  let shape = t["shape"]?.arrayValue?.compactMap({ $0.intValue }),
                  let offsets = t["data_offsets"]?.arrayValue?.compactMap({ $0.intValue }), offsets.count == 2 else {
                throw Failure.badHeader(path)
            }
            tensors[member.key] = Tensor(file: path, dtype: dtype, shape: shape,
                                         start: 8 + length + UInt64(offsets[0]), end: 8 + length + UInt64(offsets[1]))
        }
        return tensors
    }

    static func elementSize(_ dtype: String) -> Int? {
        ["F32": 4, "F64": 8, "BF16": 2, "F16": 2][dtype]
    }

    /// The raw bytes of `count` elements from element `offset` (the whole tensor by default).
    public static func bytes(_ t: Tensor, offset: Int = 0, count: Int? = nil) throws -> Data {
        let size = elementSize(t.dtype) ?? 1
        let from = t.start + UInt64(offset * size)
        let length = count.map { UInt64($0 * size) } ?? (t.end - from)
        guard from + length <= t.end, let handle = FileHandle(forReadingAtPath: t.file) else { throw Failure.badHeader(t.file) }
        defer { try? handle.close() }
        try handle.seek(toOffset: from)
        let data = try handle.read(upToCount: Int(length)) ?? Data()
        guard data.count == Int(length) else { throw Failure.badHeader(t.file) }
        return data
    }

    /// Values as doubles (F32, F16, BF16, F64); nil for other dtypes.
    public static func values(_ t: Tensor, offset: Int = 0, count: Int? = nil) throws -> [Double]? {
        guard elementSize(t.dtype) != nil else { return nil }
        return decode(try bytes(t, offset: offset, count: count), dtype: t.dtype)
    }

    public static func decode(_ data: Data, dtype: String) -> [Double]? {
        data.withUnsafeBytes { raw -> [Double]? in
            switch dtype {
            case "F32":
                return (0..<(data.count / 4)).map { Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian)) }
            case "F64":
                return (0..<(data.count / 8)).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self).littleEndian) }
            case "BF16":
                return (0..<(data.count / 2)).map {
                    Double(Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self).littleEndian) << 16))
                }
            case "F16":
                return (0..<(data.count / 2)).map { Double(Self.half(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self).littleEndian)) }
            default:
                return nil
            }
        }
    }

    static func half(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exp = Int((bits >> 10) & 0x1f), frac = Float(bits & 0x3ff)
        if exp == 0 { return sign * frac * powf(2, -24) }
        if exp == 31 { return frac == 0 ? sign * .infinity : .nan }
        return sign * (1 + frac / 1024) * powf(2, Float(exp - 15))
    }
}
