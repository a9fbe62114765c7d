import Foundation
import Testing
@testable import LFMGenerate

@Suite struct DocumentLoaderTests {
    @Test func docxHeadingsParagraphsTableTabBreak() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let body = Fixtures.p("Manual", style: "Title")
            + Fixtures.p("Install", style: "Heading1")
            + "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr><w:r><w:t>Name</w:t></w:r><w:r><w:tab/><w:t>Value</w:t></w:r></w:p>"
            + "<w:p><w:r><w:t xml:space=\"preserve\">Line one</w:t><w:br/><w:t>Line two</w:t></w:r></w:p>"
            + "<w:p><w:r><w:t>Split </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>run</w:t></w:r><w:r><w:delText>deleted</w:delText></w:r></w:p>"
            + Fixtures.p("Linux", style: "Heading2")
            + "<w:tbl><w:tblPr/><w:tr><w:tc>\(Fixtures.p("OS"))</w:tc><w:tc>\(Fixtures.p("Command"))</w:tc></w:tr>"
            + "<w:tr><w:tc>\(Fixtures.p("Ubuntu"))</w:tc><w:tc>\(Fixtures.p("apt"))\(Fixtures.p("install"))</w:tc></w:tr></w:tbl>"
            + Fixtures.p("After &amp; table")
            + "<w:sectPr/>"
        try Fixtures.docx(at: dir.file("m.docx"), body: body)
        let doc = try await DocumentLoader().loadFile(dir.file("m.docx"))
        #expect(doc.blocks == [
            .heading(level: 0, text: "Manual"),
            .heading(level: 1, text: "Install"),
            .paragraph("Name Value"),
            .paragraph("Line one\nLine two"),
            .paragraph("Split run"),
            .heading(level: 2, text: "Linux"),
            .paragraph("OS | Command"),
            .paragraph("Ubuntu | apt install"),
            .paragraph("After & table"),
        ])
    }

    @Test func docxLocalizedStyleIdsResolvedThroughStylesXML() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let styles = "<w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/></w:style>"
            + "<w:style w:type=\"paragraph\" w:styleId=\"a3\"><w:name w:val=\"heading 3\"/></w:style>"
        try Fixtures.docx(at: dir.file("de.docx"), body: Fixtures.p("Kapitel", style: "berschrift1") + Fixtures.p("Sub", style: "a3") + Fixtures.p("Text"), styles: styles)
        let doc = try await DocumentLoader().loadFile(dir.file("de.docx"))
        #expect(doc.blocks == [.heading(level: 1, text: "Kapitel"), .heading(level: 3, text: "Sub"), .paragraph("Text")])
    }

    @Test func markdownHeadingsListsFences() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = try dir.write("a.md", """
        # Title

        Intro line one
        continues here.

        ## Steps
        - first
        - second

        ```
        code  line
          indented
        ```
        Setext
        ------
        Tail #
        """)
        let doc = try await DocumentLoader().loadFile(path)
        #expect(doc.blocks == [
            .heading(level: 1, text: "Title"),
            .paragraph("Intro line one continues here."),
            .heading(level: 2, text: "Steps"),
            .paragraph("- first"), .paragraph("- second"),
            .paragraph("code  line\n  indented"),
            .heading(level: 2, text: "Setext"),
            .paragraph("Tail #"),
        ])
    }

    @Test func htmlStripsScriptsStylesAndDecodesEntities() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = try dir.write("p.html", """
        <!DOCTYPE html><html><head><title>T</title><style>p { color: red }</style></head>
        <body><script>var x = "<p>no</p>";</script><!-- comment <p>no</p> -->
        <h1>Guide &amp; Notes</h1><p>Hello&nbsp;<b>world</b> &lt;tag&gt; &#233;&#x4E2D;</p>
        <div>Block<br>break</div><ul><li>one</li><li>two</li></ul>
        <h3>Table</h3><table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td><p>2</p></td></tr></table>
        <pre>  keep
          this</pre></body></html>
        """)
        let doc = try await DocumentLoader().loadFile(path)
        #expect(doc.blocks == [
            .heading(level: 1, text: "Guide & Notes"),
            .paragraph("Hello world <tag> é中"),
            .paragraph("Block\nbreak"),
            .paragraph("one"), .paragraph("two"),
            .heading(level: 3, text: "Table"),
            .paragraph("A | B"), .paragraph("1 | 2"),
            .paragraph("  keep\n  this"),
        ])
    }

    @Test func plainTextParagraphsAndCJKLineJoin() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = try dir.write("t.txt", "\u{FEFF}First line\nsecond line.\n\n\n中文第一行\n第二行。\r\n\r\nLast")
        #expect(try await DocumentLoader().loadFile(path).blocks == [.paragraph("First line second line."), .paragraph("中文第一行第二行。"), .paragraph("Last")])
    }

    @Test func directoriesSortedHiddenSkippedAndProblemsReported() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try dir.write("docs/b.md", "# B\n\nbee")
        try dir.write("docs/a.txt", "ay")
        try dir.write("docs/sub/c.txt", "see")
        try dir.write("docs/.hidden.txt", "no")
        try dir.write("docs/.git/x.txt", "no")
        try dir.write("docs/image.png", "png")
        try dir.write("docs/broken.docx", "not a zip")
        try dir.write("docs/empty.txt", "  \n")
        let result = await DocumentLoader().load([dir.file("docs"), dir.file("missing.md")])
        #expect(result.documents.map { ($0.path as NSString).lastPathComponent } == ["a.txt", "b.md", "c.txt"])
        let skipped = Dictionary(uniqueKeysWithValues: result.skipped.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        #expect(skipped["image.png"] == "unsupported file type")
        #expect(skipped["broken.docx"]?.contains("not a valid .docx") == true)
        #expect(skipped["empty.txt"] == "no text found")
        #expect(skipped["missing.md"] == "no such file or directory")
        #expect(skipped[".hidden.txt"] == nil)
    }

    @Test func pdfWithoutPdftotextExplainsInstall() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = try dir.write("x.pdf", "%PDF-1.4")
        let result = await DocumentLoader(searchPath: dir.file("nothing")).load([path])
        #expect(result.documents.isEmpty)
        #expect(result.skipped.first?.reason.contains("apt-get install poppler-utils") == true)
    }

    @Test func pdfThroughPdftotextOnPath() async throws {
        // A stand-in pdftotext proves the call (`-layout`, text on stdout) without poppler installed.
        let dir = try TempDir()
        defer { dir.cleanup() }
        let tool = try dir.write("bin/pdftotext", "#!/bin/sh\n[ \"$1\" = -layout ] || exit 9\n[ \"$5\" = - ] || exit 8\nprintf 'Page one   text\\n\\n\\fPage two'\n")
        chmod(tool, 0o755)
        let path = try dir.write("x.pdf", "%PDF-1.4")
        let doc = try await DocumentLoader(searchPath: dir.file("bin")).loadFile(path)
        #expect(doc.blocks == [.paragraph("Page one text"), .paragraph("Page two")])
    }

    @Test func aFailingPdftotextSkipsTheFileWithItsExitStatus() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try dir.write("bin/pdftotext", "#!/bin/sh\necho 'Syntax Error: encrypted' >&2\nexit 1\n", executable: true)
        let path = try dir.write("x.pdf", "%PDF-1.4")
        let result = await DocumentLoader(searchPath: dir.file("bin")).load([path])
        #expect(result.documents.isEmpty)
        #expect(result.skipped.first?.reason == "pdftotext failed (exit 1); the PDF may be encrypted or damaged")
    }
}

@Suite struct DocxTextBoxTests {
    @Test func textBoxParagraphsAreKeptOnceAndDoNotBreakTheOuterParagraph() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let textBox = "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent>"
            + Fixtures.p("Boxed note") + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
            + Fixtures.p("Boxed note") + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        let body = "<w:p><w:r><w:t xml:space=\"preserve\">Before </w:t></w:r>\(textBox)<w:r><w:t>after.</w:t></w:r></w:p>"
        let xml = body.replacingOccurrences(of: "<mc:AlternateContent>", with: "<mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">")
        try Fixtures.docx(at: dir.file("box.docx"), body: xml)
        let doc = try await DocumentLoader().loadFile(dir.file("box.docx"))
        #expect(doc.blocks == [.paragraph("Boxed note"), .paragraph("Before after.")])
    }
}
