import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Names the cause of a failed connection the way a user can act on it: DNS, refused, TLS,
/// offline, instead of FoundationNetworking's generic texts.
enum TransportFailure {
    static func classify(_ error: Error, url: URL?) -> HTTPTransportError {
        guard let urlError = error as? URLError else {
            if error is CancellationError { return .cancelled }
            return .connection("\(error)")
        }
        let host = url?.host ?? "the server"
        let address = url.map { u in u.port.map { "\(host):\($0)" } ?? host } ?? host
        let detail = urlError.localizedDescription
        switch urlError.code {
        case .timedOut:
            return .timedOut
        case .cancelled:
            return .cancelled
        case .cannotFindHost, .dnsLookupFailed:
            return .connection("cannot resolve host \(host) (DNS lookup failed: check --base-url and the network)")
        case .cannotConnectToHost:
            return .connection("connection refused by \(address) (is the server running? check --base-url)")
        case .notConnectedToInternet:
            return .connection("no network connection (\(detail))")
        case .networkConnectionLost:
            return .connection("connection to \(address) lost mid-request (\(detail))")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return .connection("TLS handshake with \(host) failed (\(detail)); check the certificate, or use http:// for a local server")
        default:
            // FoundationNetworking reports many TLS failures with curl's text under other codes.
            if ["SSL", "TLS", "certificate"].contains(where: { detail.localizedCaseInsensitiveContains($0) }) {
                return .connection("TLS handshake with \(host) failed (\(detail)); check the certificate, or use http:// for a local server")
            }
            return .connection("\(detail) (\(address))")
        }
    }
}
