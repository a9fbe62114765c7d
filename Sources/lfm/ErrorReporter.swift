import ArgumentParser
import Foundation
import LFMCore
import LFMSystem

/// The one place where an error becomes what people see and the exit status (docs/exit-codes.md):
/// `error: …` on one line, then `hint: …` when there is something to do about it.
/// 1 for failures, 64 only for usage errors, 0 for help/version/completion requests.
enum ErrorReporter {
    /// The subcommand being run, set once by `LFM.main` after parsing (for usage hints).
    nonisolated(unsafe) static var runningCommand: ParsableCommand.Type?

    /// Prints `error` (to stdout for help and version requests, stderr otherwise) and returns the
    /// exit status. `command` is the subcommand that was running, when parsing got that far.
    static func report(_ error: Error, command: ParsableCommand.Type? = runningCommand, arguments: [String] = []) -> Int32 {
        switch error {
        case let code as ExitCode:
            return code.rawValue  // the command has already said why
        case let error as UserFacingError:
            let usage = error.exitStatus == Exit.usage.rawValue
            print(error.errorMessage, hint: error.hint ?? (usage ? helpHint(command.map(commandPath)) : nil))
            return error.exitStatus
        case let error as ValidationError:
            print(error.message, hint: helpHint(command.map(commandPath)))
            return Exit.usage.rawValue
        default:
            break
        }
        let status = LFM.exitCode(for: error)
        if status == .success {
            // --help, --version, --generate-completion-script: their text is the result.
            Swift.print(LFM.fullMessage(for: error))
            return 0
        }
        guard status == .validationFailure else {
            print("\(error)", hint: nil)
            return status.rawValue
        }
        let usage = ParseFailure(message: LFM.message(for: error), fullText: LFM.fullMessage(for: error, columns: 80),
                                 arguments: arguments)
        print(usage.message, hint: usage.hint)
        return Exit.usage.rawValue
    }

    static func print(_ message: String, hint: String?) {
        Terminal.error(message)
        if let hint { Terminal.hint(hint) }
    }

    static func helpHint(_ command: String?) -> String {
        "see `\(command ?? "lfm") --help`"
    }

    /// `lfm train`, `lfm templates show`: the names a command is invoked with.
    static func commandPath(_ type: ParsableCommand.Type) -> String {
        var names: [String] = []
        func find(_ node: ParsableCommand.Type, _ path: [String]) -> Bool {
            let here = path + [node._commandName]
            if node == type { names = here; return true }
            return node.configuration.subcommands.contains { find($0, here) }
        }
        return find(LFM.self, []) ? names.joined(separator: " ") : "lfm"
    }
}

/// An ArgumentParser parse error reworded: a lower-case one-line message and a hint naming the
/// help to read, the flag meant or the nearest subcommand.
struct ParseFailure {
    var message: String
    var hint: String

    init(message raw: String, fullText: String, arguments: [String]) {
        var message = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var suggestion: String?
        if let range = message.range(of: ". Did you mean ") {
            suggestion = "did you mean " + message[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "."))
            message = String(message[..<range.lowerBound])
        }
        // The help command ArgumentParser points at: "See 'lfm train --help' for more information."
        var command = "lfm"
        if let see = fullText.range(of: "See '"), let end = fullText[see.upperBound...].range(of: " --help'") {
            command = String(fullText[see.upperBound..<end.lowerBound])
        }
        if command == "lfm", let typo = Self.unknownSubcommand(arguments) {
            message = "unknown command '\(typo)'"
            if let near = Suggestion.closest(to: typo, in: Self.subcommandNames) {
                suggestion = "did you mean `lfm \(near)`?"
            }
        }
        self.message = Self.lowercasingFirst(message.replacingOccurrences(of: "\n", with: " "))
        let help = ErrorReporter.helpHint(command)
        self.hint = suggestion.map { "\($0) See\(help.dropFirst(3))" } ?? help
    }

    static var subcommandNames: [String] { LFM.configuration.subcommands.map { $0._commandName } + ["help"] }

    /// The first argument when it is not an option and not a subcommand of `lfm`.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !subcommandNames.contains(first) else { return nil }
        return first
    }

    static func lowercasingFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase else { return text }
        let second = text.dropFirst().first
        if let second, second.isUppercase { return text }  // an acronym: keep it
        return first.lowercased() + text.dropFirst()
    }
}
