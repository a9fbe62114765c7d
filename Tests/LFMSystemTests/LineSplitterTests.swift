import Testing
@testable import LFMSystem

@Suite struct LineSplitterTests {
    private func split(_ chunks: [[UInt8]], finish: Bool = true) -> [(String, OutputLine.Terminator)] {
        var splitter = LineSplitter()
        var out: [(String, OutputLine.Terminator)] = []
        for chunk in chunks { splitter.feed(chunk) { out.append(($0, $1)) } }
        if finish { splitter.finish { out.append(($0, $1)) } }
        return out
    }

    @Test func newlineCarriageReturnAndCRLFEndLines() {
        let out = split([Array("a\nb\rc\r\nd".utf8)])
        #expect(out.map(\.0) == ["a", "b", "c", "d"])
        #expect(out.map(\.1) == [.newline, .carriageReturn, .newline, .endOfStream])
    }

    @Test func crlfSplitAcrossChunksIsOneLineEnd() {
        let out = split([Array("x\r".utf8), Array("\ny\n".utf8)])
        #expect(out.map(\.0) == ["x", "y"])
    }

    @Test func partialLinesJoinAcrossChunks() {
        let out = split([Array("hel".utf8), Array("lo wo".utf8), Array("rld\n".utf8)])
        #expect(out.map(\.0) == ["hello world"])
        #expect(out.map(\.1) == [.newline])
    }

    @Test func multibyteCharacterSplitAcrossChunksStaysIntact() {
        let bytes = Array("é\n".utf8)  // C3 A9 0A
        let out = split([[bytes[0]], Array(bytes[1...])])
        #expect(out.map(\.0) == ["é"])
    }

    @Test func invalidUTF8IsReplaced() {
        let out = split([[0xFF, 0x61, 0x0A]])
        #expect(out.map(\.0) == ["\u{FFFD}a"])
    }

    @Test func emptyLinesAreKeptAndNothingAfterFinalTerminator() {
        let out = split([Array("\n\na\n".utf8)])
        #expect(out.map(\.0) == ["", "", "a"])
    }
}
