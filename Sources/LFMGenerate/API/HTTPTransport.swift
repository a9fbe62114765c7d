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
        let session = self.session
        let finalRequest = urlRequest
        let timeout = request.timeout
        // URLSession's timeout is an idle timeout; the race below bounds the whole request.
        return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
            group.addTask {
                do {
                    let (data, response) = try await session.data(for: finalRequest)
                    guard let http = response as? HTTPURLResponse else { throw HTTPTransportError.connection("not an HTTP response") }
                    var headers: [String: String] = [:]
                    for (key, value) in http.allHeaderFields {
                        if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
                    }
                    return HTTPResponse(status: http.statusCode, headers: headers, body: Array(data))
                } catch let error as URLError {
                    switch error.code {
                    case .timedOut: throw HTTPTransportError.timedOut
                    case .cancelled: throw HTTPTransportError.cancelled
                    default: throw HTTPTransportError.connection(error.localizedDescription)
                    }
                } catch let error as HTTPTransportError {
                    throw error
                } catch is CancellationError {
                    throw HTTPTransportError.cancelled
                } catch {
                    throw HTTPTransportError.connection("\(error)")
                }
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64((timeout + 1) * 1_000_000_000))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else { throw HTTPTransportError.timedOut }
            return response
        }
    }
}
