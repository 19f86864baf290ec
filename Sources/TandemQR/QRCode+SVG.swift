extension QRCode {
    /// Light modules around the symbol, as the standard asks.
    public static let quietZone = 4

    /// The symbol as a standalone SVG document: a white background with a quiet zone of 4
    /// modules and one black path made of horizontal runs of dark modules.
    ///
    /// - Parameters:
    ///   - moduleSize: the `width`/`height` in CSS pixels per module (the drawing scales freely;
    ///     a style sheet may override the size).
    ///   - label: an accessible name (`<title>` and `aria-label`), escaped for XML.
    public func svg(moduleSize: Int = 4, label: String? = nil) -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for row in 0..<size {
            var column = 0
            while column < size {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                let start = column
                while column < size, isDark(row: row, column: column) { column += 1 }
                path += "M\(start + Self.quietZone) \(row + Self.quietZone)h\(column - start)v1h-\(column - start)z"
            }
        }
        let pixels = side * max(1, moduleSize)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 \(side) \(side)\" "
        svg += "width=\"\(pixels)\" height=\"\(pixels)\" shape-rendering=\"crispEdges\""
        if let label {
            let escaped = Self.escapeXML(label)
            svg += " role=\"img\" aria-label=\"\(escaped)\"><title>\(escaped)</title>"
        } else {
            svg += ">"
        }
        svg += "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/>"
        svg += "<path d=\"\(path)\" fill=\"#000\"/></svg>"
        return svg
    }

    static func escapeXML(_ text: String) -> String {
        var out = ""
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(char)
            }
        }
        return out
    }
}
