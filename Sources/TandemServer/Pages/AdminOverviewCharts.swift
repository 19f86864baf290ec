import Foundation
import TandemServices

/// The Overview page's numbers, computed from the sign-in log by one pure function, and the
/// charts drawn from them on the server as SVG (no script, no CDN; the numbers are printed beside
/// each chart, so a screen reader or a text browser gets them too).
struct AdminOverviewStatistics: Equatable {
    struct Counts: Equatable {
        var success = 0
        var failure = 0
        /// Entra's 50074: stopped at "strong authentication is required" (e.g. the user never answered).
        var interrupted = 0
        var total: Int { success + failure + interrupted }
    }

    var last24Hours = Counts()
    var last7Days = Counts()
    /// Sign-ins of the last 7 days that used each method (a sign-in with a password and a push counts for both).
    var methods: [String: Int] = [:]
    /// Push requests of the last 7 days by how they ended: approved, denied, reported, timedOut, other.
    var push: [String: Int] = [:]

    static let pushOutcomes = ["approved", "denied", "reported", "timedOut", "other"]
    static let pushLabels = ["approved": "Approved", "denied": "Denied", "reported": "Reported (\"No, it's not me\")",
                             "timedOut": "Timed out", "other": "Withdrawn or other"]

    /// The statistics of `records` as seen at `now`; records older than 7 days are ignored.
    static func compute(_ records: [SignInRecord], now: Date) -> AdminOverviewStatistics {
        var result = AdminOverviewStatistics()
        for record in records {
            let age = now.timeIntervalSince(record.createdAt)
            guard age <= 7 * 86_400 else { continue }
            func count(_ counts: inout Counts) {
                switch record.errorCode {
                case 0: counts.success += 1
                case 50074: counts.interrupted += 1
                default: counts.failure += 1
                }
            }
            count(&result.last7Days)
            if age <= 86_400 { count(&result.last24Hours) }
            for method in Set(record.steps.map(\.method)) { result.methods[method, default: 0] += 1 }
            for step in record.steps where step.requestID != nil || step.method == SignInJournal.methodName(.mfa)
                || step.method == SignInJournal.methodName(.passwordless) {
                result.push[pushOutcome(step), default: 0] += 1
            }
        }
        return result
    }

    /// How a push step ended, from the detail the journal writes (`SignInJournal.pushDetail`).
    static func pushOutcome(_ step: SignInStep) -> String {
        if step.succeeded { return "approved" }
        let detail = step.detail.lowercased()
        if detail.contains("reported fraud") { return "reported" }
        if detail.contains("did not respond") { return "timedOut" }
        if detail.contains("declined") || detail.contains("correct number") { return "denied" }
        return "other"
    }

    /// The share of `part` in `whole` as a whole percentage ("0%" for an empty whole).
    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "0%" : "\(Int((Double(part) * 100 / Double(whole)).rounded()))%"
    }
}

/// Horizontal bar charts as SVG text.
enum AdminCharts {
    struct Bar {
        let label: String
        let value: Int
        let color: String
    }

    static let green = "#107c10", red = "#a4262c", grey = "#8a8886", blue = "#0067b8", amber = "#ca5010", purple = "#5c2d91"

    /// A chart of `bars`, one row each, with the value at the end of the bar. `id` names the
    /// `<title>` for `aria-labelledby`.
    static func bars(_ bars: [Bar], id: String, title: String) -> String {
        let rowHeight = 28, labelWidth = 190, barWidth = 230, width = 480
        let height = max(1, bars.count) * rowHeight + 8
        let largest = max(1, bars.map(\.value).max() ?? 1)
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(width) \##(height)" role="img" aria-labelledby="\##(id)-title" id="\##(id)">"##
        svg += ##"<title id="\##(id)-title">\##(escape(title))</title>"##
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * rowHeight
            let length = bar.value == 0 ? 0 : max(2, bar.value * barWidth / largest)
            svg += ##"<text x="0" y="\##(y + 18)" font-size="13" fill="#1b1b1b">\##(escape(bar.label))</text>"##
            svg += ##"<rect x="\##(labelWidth)" y="\##(y + 4)" width="\##(length)" height="18" fill="\##(bar.color)"><title>\##(escape(bar.label)): \##(bar.value)</title></rect>"##
            svg += ##"<text x="\##(labelWidth + length + 6)" y="\##(y + 18)" font-size="13" fill="#1b1b1b">\##(bar.value)</text>"##
        }
        return svg + "</svg>"
    }

    /// Escapes text for SVG/HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
