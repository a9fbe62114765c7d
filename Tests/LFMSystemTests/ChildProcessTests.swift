import Foundation
import Testing

/// The test helpers that run python3 and the like (`runChild`, `runChildSync`): a child that
/// writes more to stderr than a pipe holds before it writes its stdout must not deadlock them
/// (the old helpers read stdout to its end first, then stderr).
@Suite struct ChildProcessTests {
    static let chatty = ["-c", "head -c 3000000 /dev/zero | tr '\\\\0' x >&2; echo done"]

    @Test func runChildReadsBothPipesAtOnce() async throws {
        let child = try await runChild("/bin/sh", Self.chatty)
        #expect(child.status == 0)
        #expect(child.stdout == "done\n")
        #expect(child.stderr.utf8.count == 3_000_000)
    }

    @Test func runChildSyncReadsBothPipesAtOnce() async throws {
        // Synchronous by design (static initialisers): on a thread of its own, not the pool's.
        let child = try await offThePool { runChildSync("/bin/sh", Self.chatty) }
        #expect(child?.status == 0)
        #expect(child?.stdout == "done\n")
        #expect(child?.stderr.utf8.count == 3_000_000)
        let missing = try await offThePool { runChildSync("/nonexistent/lfm-nope", []) }
        #expect(missing == nil)
    }

    @Test func theStatusOfAKilledChildIs128PlusTheSignal() async throws {
        #expect(try await runChild("/bin/sh", ["-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        let sync = try await offThePool { runChildSync("/bin/sh", ["-c", "kill -TERM $$"]) }
        #expect(sync?.status == 128 + SIGTERM, "\(String(describing: sync))")
    }
}
