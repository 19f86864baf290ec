extension Migrations {
    /// The application of a sign-in (issue 16, docs/decisions/0032-application-context.md): versions 190–194.
    static let applicationContext: [Migration] = [
        (190, [
            // The OIDC client id (Graph's `appId`) the sign-in was for; NULL: Tandem's own pages.
            "ALTER TABLE sign_in_logs ADD COLUMN app_id TEXT",
        ]),
    ]
}
