import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request, as the chat client needs it.
public struct HTTPRequest: Sendable {
    public var url: URL
    public var method: String
    public var headers: [String: String]
    public var body: [UInt8]
    public var timeout: Double

    public init(url: URL, method: String = "POST", headers: [String: String] = [:], body: [UInt8] = [], timeout: Double = 120) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Transport-level failures (no HTTP status).
public enum HTTPTransportError: Error, Sendable, Equatable {
    case timedOut
    case connection(String)
    case cancelled
}

/// The seam between the chat client and the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// The real transport: Foundation's URLSession (FoundationNetworking on Linux).
///
/// Never hangs its caller: a request ends with a reply, an error, `timedOut` once its timeout
/// (plus one second) has passed in total, or `cancelled` as soon as the calling task is
/// cancelled. It does not use URLSession's async `data(for:)`: that one cancels the
/// `URLSessionTask` from inside Swift's task-cancellation handler, and on Linux
/// `URLSessionTask.cancel()` waits (`DispatchQueue.sync`) for FoundationNetworking's work queue
/// while the canceller holds the task group's lock; cancelling a group of requests deadlocked
/// (lfm generate hung after a 401 while other requests were in flight, Ctrl-C ignored).
/// Here the caller is resumed first, and the abandoned `URLSessionTask` is cancelled later from
/// a thread of its own (`TaskCanceller`), outside every Swift concurrency lock and off the
/// dispatch pool.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession

    /// `maxConnections` should be at least the request concurrency (URLSession's default is 6 per host).
    public init(maxConnections: Int = 64) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnections)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.timeoutIntervalForResource = 24 * 3600
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = request.timeout
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let call = SessionCall()
        let session = self.session
        let finalRequest = urlRequest
        let timeout = request.timeout
        let result: Result<HTTPResponse, HTTPTransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                call.start(continuation) {
                    session.dataTask(with: finalRequest) { data, response, error in
                        call.finish(Self.result(data: data, response: response, error: error, url: finalRequest.url))
                    }
                }
                // URLSession's timeout is an idle timeout; this bounds the whole request.
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 1) { call.finish(.failure(.timedOut)) }
            }
        } onCancel: {
            call.finish(.failure(.cancelled))
        }
        return try result.get()
    }

    static func result(data: Data?, response: URLResponse?, error: Error?, url: URL?) -> Result<HTTPResponse, HTTPTransportError> {
        if let error {
            return .failure(TransportFailure.classify(error, url: url))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(.connection("not an HTTP response")) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: Array(data ?? Data())))
    }
}

/// One URLSession request and the one caller waiting for it: whichever of reply, deadline or
/// cancellation comes first resumes the caller, exactly once, without blocking.
final class SessionCall: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>?
    private var outcome: Result<HTTPResponse, HTTPTransportError>?
    private var task: URLSessionTask?

    /// Installs the waiting caller and starts the task, unless the call already ended (cancelled
    /// before it began): then the caller resumes at once and no request is sent.
    func start(_ continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>, makeTask: () -> URLSessionTask) {
        let task = makeTask()  // outside the lock: URLSession may synchronise with its own queue
        lock.lock()
        if let outcome {
            lock.unlock()
            continuation.resume(returning: outcome)
            TaskCanceller.shared.cancel(task)  // never started; let the session forget it
            return
        }
        self.continuation = continuation
        self.task = task
        lock.unlock()
        task.resume()  // a cancellation in between cancels it from the canceller thread afterwards
    }

    /// The first call wins; later ones do nothing. An abandoned task is cancelled afterwards by
    /// `TaskCanceller`, never from the thread that reported the cancellation or the deadline.
    func finish(_ result: Result<HTTPResponse, HTTPTransportError>) {
        lock.lock()
        guard outcome == nil else { lock.unlock(); return }
        outcome = result
        let continuation = self.continuation
        self.continuation = nil
        let abandoned: URLSessionTask?
        if case .success = result { abandoned = nil } else { abandoned = task }
        task = nil
        lock.unlock()
        continuation?.resume(returning: result)
        // Only a cancelled or overdue request is still running (cancelling a finished one does nothing).
        if let abandoned, case .failure(let failure) = result, failure == .cancelled || failure == .timedOut {
            TaskCanceller.shared.cancel(abandoned)
        }
    }
}

/// Cancels abandoned `URLSessionTask`s on one thread of its own. On Linux `cancel()` waits
/// (`DispatchQueue.sync`) for FoundationNetworking's work queue; run on the dispatch pool, a few
/// such waits occupied every worker thread (two on a 2-core machine) and froze the work queue,
/// Swift concurrency and timers with them for about a minute. A plain thread can wait harmlessly.
final class TaskCanceller: @unchecked Sendable {
    static let shared = TaskCanceller()

    private let condition = NSCondition()
    private var pending: [URLSessionTask] = []
    private var started = false

    func cancel(_ task: URLSessionTask) {
        condition.lock()
        pending.append(task)
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = "lfm-urlsession-cancel"
            thread.stackSize = 256 * 1024
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let task = pending.removeFirst()
            condition.unlock()
            task.cancel()
        }
    }
}
