import Foundation

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
