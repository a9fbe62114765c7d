import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LFMGenerate

/// `XMLScanner` (the .docx reader's XML) against Foundation's libxml2-based `XMLParser`, which it
/// replaced: the same events on the same documents; an error on every document that is not
/// well-formed (XMLParser's `parse()` returned true on several of these).
@Suite struct XMLScannerTests {
    static let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// Events as lines; adjacent text merged (both readers may split a run of text).
    final class Recorder: NSObject, XMLScannerDelegate, XMLParserDelegate {
        var events: [String] = []
        private var text = ""

        private func flush() {
            if !text.isEmpty { events.append("text \(text)") }
            text = ""
        }
        func didStart(_ name: String, namespace: String?, attributes: [String: String]) {
            flush()
            events.append("start {\(namespace ?? "")}\(name) \(attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        }
        func didEnd(_ name: String, namespace: String?) {
            flush()
            events.append("end {\(namespace ?? "")}\(name)")
        }
        func foundText(_ text: String) { self.text += text }
        func finish() -> [String] { flush(); return events }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            didStart(name, namespace: namespaceURI, attributes: attributes.filter { !$0.key.hasPrefix("xmlns") })
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            didEnd(name, namespace: namespaceURI)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { foundText(string) }
        func parser(_ parser: XMLParser, foundCDATA block: Data) { foundText(String(decoding: block, as: UTF8.self)) }
    }

    static func scanned(_ xml: String) throws -> [String] {
        let recorder = Recorder()
        try XMLScanner.scan(Data(xml.utf8), delegate: recorder)
        return recorder.finish()
    }

    static func parsed(_ xml: String) -> [String]? {
        let recorder = Recorder()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = recorder
        let ok = parser.parse()
        return withExtendedLifetime(recorder) { ok ? recorder.finish() : nil }
    }

    static let documents = [
        // What Word writes: declaration, prefixed namespaces, self-closing tags, attributes, entities.
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="\(w)" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>\
        <w:p><w:pPr><w:pStyle w:val="Heading1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>\
        <w:r><w:t xml:space="preserve"> Tom &amp; Jerry &lt;3 &quot;x&quot; &apos;y&apos; &#65;&#x4E2D;&#x1F600; </w:t><w:tab/><w:br/></w:r></w:p>\
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>中文 cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
        <mc:AlternateContent><mc:Choice Requires="wps"><w:t>a</w:t></mc:Choice><mc:Fallback><w:t>a</w:t></mc:Fallback></mc:AlternateContent>\
        <w:sectPr/></w:body></w:document>
        """,
        // Default namespace, a prefix re-bound in a child, single quotes, comments, CDATA, a PI, spaces in tags.
        """
        <?xml version='1.0'?><!-- head --><root xmlns="urn:a" xmlns:p="urn:p1">
          <p:x a = 'v&amp;1'  p:b="t\tab" >one<!-- c --><![CDATA[<raw> & ]]>two</p:x >
          <inner xmlns:p="urn:p2"><p:y/><?pi data?></inner><p:z/>
          <other xmlns=""><plain/></other>
        </root>
        """,
    ]

    @Test func sameEventsAsFoundationXMLParser() throws {
        for (n, xml) in Self.documents.enumerated() {
            let expected = try #require(Self.parsed(xml), "document \(n): XMLParser failed")
            #expect(try Self.scanned(xml) == expected, "document \(n)")
        }
    }

    @Test func notWellFormedDocumentsThrowWithTheLine() {
        let bad = [
            "<a><b></a></b>",               // mismatched
            "<a>\n<b>\n",                   // unclosed
            "<a x=1/>",                     // unquoted value
            "<a>&nbsp;</a>",                // undefined entity: never expanded
            "<a>&amp</a>",                  // unterminated reference
            "<a/><b/>",                     // two roots
            "",                             // no root
            "<a x='1' x='2'/>",             // repeated attribute
            "<a><!-- open </a>",            // unterminated comment
        ]
        for xml in bad {
            #expect(throws: XMLScanner.Failure.self, "\(xml)") { _ = try Self.scanned(xml) }
        }
        do {
            _ = try Self.scanned("<a>\n<b>\n</c></a>")
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)" == "line 3: end tag </c> does not match <b>")
        }
    }

    @Test func aDamagedDocxNamesTheFileAndTheXMLError() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try Fixtures.docx(at: dir.file("bad.docx"), body: "<w:p><w:r><w:t>open</w:r></w:p>")
        do {
            _ = try await DocumentLoader().loadFile(dir.file("bad.docx"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("damaged .docx: word/document.xml is not valid XML (line 2: end tag </w:r> does not match <w:t>)"), "\(error)")
        }
    }
}
