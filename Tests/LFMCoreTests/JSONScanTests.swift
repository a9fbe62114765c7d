import CJSONScan
import Testing
@testable import LFMCore

/// The AVX2 kernels (`CJSONScan`) must give exactly the answers of the portable Swift paths:
/// where a string ends, whether its UTF-8 is valid, and what the parser returns or reports.
@Suite struct JSONScanTests {
    typealias Bytes = UTF8ValidationTests.Bytes

    /// Random bytes for string bodies: text with quotes, backslashes, escapes, control bytes and bad bytes.
    static func body(_ rng: inout Bytes, length: Int, corruptions: Int) -> [UInt8] {
        let pieces: [[UInt8]] = [Array("ab".utf8), Array("中文".utf8), Array("\\n".utf8), Array("\\\"".utf8), Array("\\\\".utf8),
                                 Array("\\u00e9".utf8), Array("\\u4E2D".utf8), Array("\\uD83D\\uDE00".utf8), Array("\\uD83D".utf8),
                                 Array("\\uDE00x".utf8), Array("\\uD83Dx".utf8), Array("😀".utf8), Array(" ".utf8), Array("é".utf8)]
        var out: [UInt8] = []
        while out.count < length { out += rng.text(scalars: Int(rng.next() % 40), corruptions: 0) + pieces[Int(rng.next() % UInt64(pieces.count))] }
        for _ in 0..<corruptions where !out.isEmpty {
            let at = Int(rng.next() % UInt64(out.count))
            let odd: [UInt8] = [0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x20, 0x80, 0xBF, 0xC0, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF, 0x75, 0x47]
            out[at] = odd[Int(rng.next() % UInt64(odd.count))]
        }
        return out
    }

    @Test("the UTF-8 kernel and the portable check agree with String(validating:)", arguments: [0, 1, 3])
    func utf8Kernel(corruptions: Int) {
        var rng = Bytes(state: UInt64(7 + corruptions))
        for round in 0..<6000 {
            let bytes = rng.text(scalars: round % 200, corruptions: corruptions)
            for cut in 0...4 where bytes.count >= cut {
                let b = Array(bytes.dropLast(cut))
                let expected = UTF8ValidationTests.stdlib(b)
                let portable = b.withUnsafeBufferPointer { UTF8Validation.isValidPortable($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count) }
                #expect(portable == expected, "portable differs on \(b)")
                if JSONScan.available {
                    let kernel = b.withUnsafeBufferPointer { cjs_utf8_valid($0.baseAddress, Int64($0.count)) != 0 }
                    #expect(kernel == expected, "kernel differs on \(b)")
                }
            }
        }
    }

    @Test("the string scan finds the first quote, backslash or control byte and checks the UTF-8 up to it")
    func scanKernel() {
        guard JSONScan.available else { return }
        var rng = Bytes(state: 42)
        for round in 0..<20000 {
            let bytes = Self.body(&rng, length: round % 150, corruptions: Int(rng.next() % 4))
            let stop = bytes.firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }
            let r = bytes.withUnsafeBufferPointer { cjs_scan_string($0.baseAddress, Int64($0.count)) }
            guard let stop else {
                #expect(r.stop == -1, "\(bytes)")
                continue
            }
            #expect(Int(r.stop) == stop, "\(bytes)")
            #expect((r.valid != 0) == UTF8ValidationTests.stdlib(Array(bytes[...stop])), "\(bytes)")
            #expect((r.ascii != 0) == bytes[..<stop].allSatisfy { $0 < 0x80 }, "\(bytes)")
        }
    }

    @Test("the parser returns and reports the same with and without the kernels")
    func parserPaths() {
        var rng = Bytes(state: 9)
        var accepted = 0
        for round in 0..<20000 {
            let body = Self.body(&rng, length: round % 300, corruptions: round % 3 == 0 ? Int(rng.next() % 3) : 0)
            // Strings in an object, in JSON Lines shape: the last string ends near the buffer's end.
            let doc = Array("{\"k\": \"".utf8) + body + Array("\", \"é\": [\"".utf8) + body + Array("\"]}".utf8)
            let cut = round % 5 == 0 ? Array(doc.dropLast(Int(rng.next() % 8) + 1)) : doc
            let fast = Result { () throws(JSONSyntaxError) in try JSONParser.parse(cut, useKernels: true) }
            let slow = Result { () throws(JSONSyntaxError) in try JSONParser.parse(cut, useKernels: false) }
            if case .success = slow { accepted += 1 }
            #expect(fast == slow, "\(cut)")
        }
        #expect(accepted > 5000)
    }
}
