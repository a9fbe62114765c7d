import Foundation

/// Names the cause of a failed connection the way a user can act on it: DNS, refused, TLS,
/// offline, instead of libcurl's generic texts.
enum TransportFailure {
    /// `code` is libcurl's CURLcode, `osError` the errno of a failed connect, `detail` libcurl's text.
    static func classify(curlCode code: Int, osError: Int32 = 0, detail: String, url: URL?) -> HTTPTransportError {
        let host = url?.host ?? "the server"
        let address = url.map { u in u.port.map { "\(host):\($0)" } ?? host } ?? host
        let tls = "TLS handshake with \(host) failed (\(detail)); check the certificate, or use http:// for a local server"
        switch code {
        case 28:  // CURLE_OPERATION_TIMEDOUT
            return .timedOut
        case 42:  // CURLE_ABORTED_BY_CALLBACK
            return .cancelled
        case 6:  // CURLE_COULDNT_RESOLVE_HOST
            return .connection("cannot resolve host \(host) (DNS lookup failed: check --base-url and the network)")
        case 5:  // CURLE_COULDNT_RESOLVE_PROXY
            return .connection("cannot resolve the proxy (\(detail)): check https_proxy / http_proxy")
        case 7:  // CURLE_COULDNT_CONNECT
            if osError == ECONNREFUSED || detail.localizedCaseInsensitiveContains("refused") {
                return .connection("connection refused by \(address) (is the server running? check --base-url)")
            }
            let reason = osError != 0 ? String(cString: strerror(osError)) : detail
            return .connection("cannot connect to \(address) (\(reason)): check --base-url and the network")
        case 52, 55, 56:  // GOT_NOTHING, SEND_ERROR, RECV_ERROR
            return .connection("connection to \(address) lost mid-request (\(detail))")
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98:  // SSL_*, PEER_FAILED_VERIFICATION
            return .connection(tls)
        case 1, 3:  // UNSUPPORTED_PROTOCOL, URL_MALFORMAT
            return .connection("cannot send to \(url?.absoluteString ?? "the server") (\(detail)): check --base-url")
        default:
            if ["SSL", "TLS", "certificate"].contains(where: { detail.localizedCaseInsensitiveContains($0) }) {
                return .connection(tls)
            }
            return .connection("\(detail) (\(address))")
        }
    }
}
