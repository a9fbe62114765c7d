import Foundation

/// An async counting semaphore: at most `limit` holders at once; waiters resume in FIFO order.
public actor AsyncSemaphore {
    private let limit: Int
    private var held = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextId: UInt64 = 0

    public init(limit: Int) { self.limit = max(1, limit) }

    public func acquire() async throws {
        if held < limit {
            held += 1
            return
        }
        let id = nextId
        nextId += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    public func release() {
        if !waiters.isEmpty {
            let next = waiters.removeFirst()
            next.continuation.resume()  // the slot passes directly to the waiter
        } else {
            held = max(0, held - 1)
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            let waiter = waiters.remove(at: index)
            waiter.continuation.resume(throwing: CancellationError())
        }
    }
}

/// Requests-per-minute and tokens-per-minute pacing over a sliding 60-second window.
public actor RateLimiter {
    private let requestsPerMinute: Int?
    private let tokensPerMinute: Int?
    private var events: [(time: Double, tokens: Int)] = []
    private let window: Double = 60
    /// The time in seconds, and a wait of that many seconds: the real clock, or a test's.
    private let clock: @Sendable () -> Double
    private let sleep: @Sendable (Double) async throws -> Void

    public init(requestsPerMinute: Int?, tokensPerMinute: Int?) {
        self.init(requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, clock: Self.now,
                  sleep: { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) })
    }

    /// A limiter on a given clock (tests pass a manual one: pacing checked without waiting minutes).
    init(requestsPerMinute: Int?, tokensPerMinute: Int?, clock: @escaping @Sendable () -> Double,
         sleep: @escaping @Sendable (Double) async throws -> Void) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.clock = clock
        self.sleep = sleep
    }

    /// Waits until one more request of `tokens` estimated tokens fits in the last minute, then books it.
    public func acquire(tokens: Int) async throws {
        guard requestsPerMinute != nil || tokensPerMinute != nil else { return }
        while true {
            try Task.checkCancellation()
            let now = clock()
            events.removeAll { now - $0.time >= window }
            var wait = 0.0
            if let rpm = requestsPerMinute, events.count >= rpm {
                wait = max(wait, events[events.count - rpm].time + window - now)
            }
            if let tpm = tokensPerMinute {
                let booked = min(tokens, tpm)  // a request bigger than the budget still runs, alone
                var total = events.reduce(0) { $0 + $1.tokens }
                var i = 0
                while total + booked > tpm, i < events.count {
                    total -= events[i].tokens
                    wait = max(wait, events[i].time + window - now)
                    i += 1
                }
            }
            if wait <= 0 {
                events.append((now, tokensPerMinute.map { min(tokens, $0) } ?? tokens))
                return
            }
            try await sleep(min(wait, 60) + 0.001)
        }
    }

    static func now() -> Double { Date().timeIntervalSinceReferenceDate }
}
