import CCurl
import Foundation

/// The real transport: libcurl, loaded with `dlopen` the first time a request is sent
/// (`Sources/CCurl`). Linking Foundation's URLSession instead (FoundationNetworking) loaded
/// libcurl and ~30 TLS/Kerberos/LDAP libraries into every `lfm` command at start-up
/// (docs/performance.md, "Start-up"); now only `lfm generate` loads them, when it talks HTTP.
/// HTTPS, proxies (`https_proxy`...) and certificates are libcurl's, as they were under URLSession.
///
/// Never hangs its caller: a request ends with a reply, an error, `timedOut` once its timeout has
/// passed in total (libcurl's own limit, and a deadline one second later here), or `cancelled`
/// as soon as the calling task is cancelled. Each request blocks a thread of its own in
/// `curl_easy_perform`, off Swift's concurrency pool; the caller is resumed first and an
/// abandoned transfer stops at libcurl's next progress call. Idle connections are kept for reuse.
public final class CurlTransport: HTTPTransport, Sendable {
    public init() {}

    /// Loads libcurl (once); nil when it is usable, otherwise why not (dlopen's message).
    static func loadFailure() -> String? {
        var message = [CChar](repeating: 0, count: 512)
        guard lfm_http_load(&message, message.count) == 1 else {
            return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }

    /// Loads libcurl for a run about to talk HTTP: fails before anything is written, with what to install.
    public static func require() throws(GenerateError) {
        if let reason = loadFailure() { throw .httpUnavailable(reason) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let reason = Self.loadFailure() { throw HTTPTransportError.connection("libcurl could not be loaded (\(reason))") }
        // One "Name: value" line each; a line break inside a value cannot start another header.
        let headers = request.headers.map { "\($0.key): \($0.value)".filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" } }
            .joined(separator: "\n")
        let timeoutMS = max(1, Int(request.timeout * 1000))
        guard let job = request.body.withUnsafeBufferPointer({ body in
            lfm_http_job_new(request.url.absoluteString, request.method, headers, body.baseAddress, body.count, timeoutMS)
        }) else {
            throw HTTPTransportError.connection("out of memory")
        }
        let call = CurlCall(job: job, url: request.url)
        let result: Result<HTTPResponse, HTTPTransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                call.start(continuation)
                // libcurl enforces the timeout; this deadline only guards against a stuck transfer.
                DispatchQueue.global().asyncAfter(deadline: .now() + request.timeout + 1) { call.finish(.failure(.timedOut)) }
            }
        } onCancel: {
            call.finish(.failure(.cancelled))
        }
        return try result.get()
    }
}

/// One libcurl transfer and the one caller waiting for it: whichever of reply, deadline or
/// cancellation comes first resumes the caller, exactly once, without blocking.
final class CurlCall: @unchecked Sendable {
    private let job: OpaquePointer
    private let url: URL
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>?
    private var outcome: Result<HTTPResponse, HTTPTransportError>?

    init(job: OpaquePointer, url: URL) {
        self.job = job
        self.url = url
    }

    deinit { lfm_http_job_free(job) }

    /// Installs the waiting caller and starts the transfer on its own thread, unless the call
    /// already ended (cancelled before it began): then the caller resumes at once.
    func start(_ continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>) {
        lock.lock()
        if let outcome {
            lock.unlock()
            continuation.resume(returning: outcome)
            return
        }
        self.continuation = continuation
        lock.unlock()
        let thread = Thread { [self] in  // the thread keeps the call (and its job) alive
            lfm_http_job_perform(job)
            finish(response())
        }
        thread.name = "lfm-http"
        thread.stackSize = 1 << 20  // name resolution and the TLS handshake run on it
        thread.start()
    }

    /// The first call wins; later ones do nothing. A cancelled or overdue transfer is told to stop.
    func finish(_ result: Result<HTTPResponse, HTTPTransportError>) {
        lock.lock()
        guard outcome == nil else { lock.unlock(); return }
        outcome = result
        let continuation = self.continuation
        self.continuation = nil
        lock.unlock()
        if case .failure(let failure) = result, failure == .cancelled || failure == .timedOut {
            lfm_http_job_cancel(job)
        }
        continuation?.resume(returning: result)
    }

    private func response() -> Result<HTTPResponse, HTTPTransportError> {
        let code = lfm_http_job_result(job)
        guard code == 0 else {
            let detail = String(cString: lfm_http_job_error(job))
            return .failure(TransportFailure.classify(curlCode: Int(code), osError: Int32(lfm_http_job_os_errno(job)), detail: detail, url: url))
        }
        var size = 0
        let body = lfm_http_job_body(job, &size).map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let raw = lfm_http_job_headers(job, &size).map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        return .success(HTTPResponse(status: lfm_http_job_status(job), headers: Self.headers(raw), body: body))
    }

    /// Header fields of the last reply (after redirects and `100 Continue`), names lowercased.
    static func headers(_ raw: [UInt8]) -> [String: String] {
        var headers: [String: String] = [:]
        for line in String(decoding: raw, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.hasPrefix("HTTP/") { headers = [:]; continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let existing = headers[name] { headers[name] = existing + ", " + value } else { headers[name] = value }
        }
        return headers
    }
}
