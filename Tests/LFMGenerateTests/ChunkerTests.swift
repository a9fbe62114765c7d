import LFMSystem
import Testing
@testable import LFMGenerate

@Suite struct ChunkerTests {
    func doc(_ blocks: [DocumentBlock]) -> Document { Document(path: "d.md", blocks: blocks) }
    func sentence(_ i: Int, length: Int = 100) -> String {
        let base = "Sentence \(i) "
        return base + String(repeating: "x", count: max(1, length - base.count - 1)) + "."
    }

    @Test func accumulatesParagraphsUpToTarget() {
        let paragraphs = (0..<10).map { DocumentBlock.paragraph(sentence($0, length: 300)) }
        let chunks = Chunker(targetSize: 1000).chunks(of: doc(paragraphs))
        #expect(chunks.allSatisfy { $0.characterCount <= 1000 })
        #expect(chunks.count == 4)  // 3 paragraphs (904 chars) per chunk
        #expect(chunks.map(\.text).joined(separator: "\n\n") == paragraphs.map(\.text).joined(separator: "\n\n"))
    }

    @Test func headingPathAndTopLevelBreaks() {
        let blocks: [DocumentBlock] = [
            .heading(level: 1, text: "Manual"),
            .heading(level: 2, text: "Install"),
            .heading(level: 3, text: "Linux"),
            .paragraph(String(repeating: "a", count: 600)),
            .heading(level: 1, text: "Usage"),  // current chunk is 600/1000 ≥ half: new chunk
            .paragraph("short"),
            .heading(level: 1, text: "FAQ"),     // current chunk is tiny: stays together
            .paragraph("tiny"),
        ]
        let chunks = Chunker(targetSize: 1000).chunks(of: doc(blocks))
        #expect(chunks.count == 2)
        #expect(chunks[0].heading == "Manual > Install > Linux")
        #expect(chunks[1].headingPath == ["Usage"])
        #expect(chunks[1].text == "short\n\nFAQ\n\ntiny")
    }

    @Test func longParagraphSplitsAtSentenceEnds() {
        let text = (0..<30).map { sentence($0, length: 80) }.joined(separator: " ")
        let chunks = Chunker(targetSize: 500).chunks(of: doc([.paragraph(text)]))
        #expect(chunks.count > 4)
        for chunk in chunks {
            #expect(chunk.characterCount <= 500)
            #expect(chunk.text.hasPrefix("Sentence"))
            #expect(chunk.text.hasSuffix("."))
        }
    }

    @Test func cjkSplitsAtChineseSentenceEnds() {
        let sentenceText = "这是一个用于测试的中文句子，其中包含足够多的汉字以便切分" // 28 chars
        let text = (0..<40).map { "\(sentenceText)\($0 % 2 == 0 ? "。" : "！")" }.joined()
        let chunks = Chunker(targetSize: 200).chunks(of: doc([.paragraph(text)]))
        #expect(chunks.count >= 6)
        for chunk in chunks {
            #expect(chunk.characterCount <= 200)
            #expect(chunk.text.hasSuffix("。") || chunk.text.hasSuffix("！"))
        }
        #expect(chunks.map(\.text).joined() == text)
    }

    @Test func wordsAreNotCutInOverlongSentence() {
        let text = Array(repeating: "word", count: 400).joined(separator: " ")
        let chunks = Chunker(targetSize: 300).chunks(of: doc([.paragraph(text)]))
        for chunk in chunks { #expect(chunk.text.split(separator: " ").allSatisfy { $0 == "word" }) }
    }

    @Test func overlapCarriesWholeSentences() {
        let paragraphs = (0..<6).map { i in DocumentBlock.paragraph((0..<3).map { sentence(i * 10 + $0, length: 100) }.joined(separator: " ")) }
        let chunks = Chunker(targetSize: 700, overlap: 150).chunks(of: doc(paragraphs))
        #expect(chunks.count >= 2)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            let lastSentence = SentenceSplitter.trim(SentenceSplitter.sentences(previous.text).last!)
            #expect(next.text.hasPrefix(lastSentence))
            #expect(next.characterCount <= 700)
        }
    }

    @Test func idsAreStableAndDependOnHeading() {
        let blocks: [DocumentBlock] = [.heading(level: 1, text: "A"), .paragraph("same text")]
        let a = Chunker().chunks(of: doc(blocks))
        let b = Chunker().chunks(of: Document(path: "other.md", blocks: blocks))
        let c = Chunker().chunks(of: doc([.heading(level: 1, text: "B"), .paragraph("same text")]))
        #expect(a[0].id == b[0].id)
        #expect(a[0].id != c[0].id)
        #expect(a[0].id.count == 64)
    }

    @Test func sha256KnownVectors() {
        #expect(SHA256Digest.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
