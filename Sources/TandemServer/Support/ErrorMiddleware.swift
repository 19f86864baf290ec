import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemStore

/// Turns every error into a clear answer: JSON `{"error":{code,message}}` for the APIs, an HTML
/// page for the browser's pages. Unexpected errors are logged and answered 500 without detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as TandemError {
            let code = request.uri.path.hasPrefix("/v1.0/") ? (error.wireCode ?? Self.graphCode(error.code)) : (error.wireCode ?? error.code.rawValue)
            return respond(request, status: Self.status(error.code), code: code, message: error.message, serverTime: error.serverTime)
        } catch let error as HTTPResponseError {
            let status = error.status
            let message = status == .notFound ? "Not found." : (status.code < 500 ? "The request is not valid (\(status.reasonPhrase))." : "Something went wrong.")
            let graph = request.uri.path.hasPrefix("/v1.0/")
            let code = graph && status == .notFound ? "Request_ResourceNotFound" : (graph && status.code < 500 ? "Request_BadRequest" : Self.code(status))
            return respond(request, status: status, code: code, message: message)
        } catch is DecodingError {
            return respond(request, status: .badRequest, code: "badRequest", message: "The request body is not valid JSON of the expected shape.")
        } catch where StoreErrors.isTransient(error) {
            // SQLite stayed busy past its timeout: try again shortly (503 + Retry-After), not a fault.
            context.logger.warning("the database was busy", metadata: ["tandem.error": "\(String(reflecting: type(of: error)))"])
            return respond(request, status: .serviceUnavailable, code: "ServiceNotAvailable", message: "The service is busy. Try again in a few seconds.")
        } catch {
            context.logger.error("unexpected error", metadata: ["tandem.error": "\(String(reflecting: type(of: error)))"])
            return respond(request, status: .internalServerError, code: "internalError", message: "Something went wrong.")
        }
    }

    func respond(_ request: Request, status: HTTPResponse.Status, code: String, message: String, serverTime: Int64? = nil) -> Response {
        let path = request.uri.path
        let wantsJSON = path.hasPrefix("/device/") || path.hasPrefix("/v1.0/") || path.hasSuffix("/status")
            || request.headers[.accept]?.contains("application/json") == true
        if wantsJSON {
            return Self.withRetryAfter(JSONResponse.make(ErrorBody(code: code, message: message, serverTime: serverTime), status: status))
        }
        var response = pages.message(heading: status.code == 404 ? "Page not found" : "Something went wrong",
                                     message: message, link: "/login", linkText: "Back to sign-in")
        response.status = status
        return Self.withRetryAfter(response)
    }

    /// A 503 (the database did not answer in time) tells the client when to try again.
    static func withRetryAfter(_ response: Response) -> Response {
        guard response.status == .serviceUnavailable, response.headers[.retryAfter] == nil else { return response }
        var response = response
        response.headers[.retryAfter] = "5"
        return response
    }

    static func status(_ code: TandemError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .expired: .gone
        case .locked: .init(code: 423, reasonPhrase: "Locked")
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .preconditionFailed: .preconditionFailed
        }
    }

    /// Microsoft Graph's error codes for the admin API.
    static func graphCode(_ code: TandemError.Code) -> String {
        switch code {
        case .badRequest, .conflict: "Request_BadRequest"
        case .unauthorized: "InvalidAuthenticationToken"
        case .forbidden: "Authorization_RequestDenied"
        case .notFound: "Request_ResourceNotFound"
        case .expired: "Request_BadRequest"
        case .locked: "Authorization_RequestDenied"
        case .tooManyRequests: "TooManyRequests"
        case .unavailable: "ServiceNotAvailable"
        case .preconditionFailed: "Request_PreconditionFailed"
        }
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "badRequest"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "notFound"
        case 405: "methodNotAllowed"
        case 413: "payloadTooLarge"
        case 415: "unsupportedMediaType"
        default: status.code < 500 ? "badRequest" : "internalError"
        }
    }
}

/// JSON responses with Tandem's wire coding.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? WireCoding.encoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
