import LFMCore

/// One-line and indented JSON text through LFMCore's printer.
enum JSONPrinterShim {
    static func line(_ value: JSONValue) -> String { JSONPrinter(indent: nil).string(value) }
}
