extension Migrations {
    /// RADIUS clients (issue 14): versions 130–139. The client is a JSON document beside the
    /// columns its queries need; its shared secret is sealed inside the document.
    static let radius: [Migration] = [
        (130, [
            """
            CREATE TABLE radius_clients (
                id TEXT PRIMARY KEY,
                name_key TEXT NOT NULL UNIQUE,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
