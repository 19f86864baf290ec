extension Migrations {
    /// Strength-aware sign-in and sealed verification-code secrets (issue 12, decision 0027): versions 195–199.
    static let strengthAwareSignIn: [Migration] = [
        (195, [
            // The authentication strength a flow must reach, decided when it starts (NULL: none).
            "ALTER TABLE flows ADD COLUMN required_strength TEXT",
        ]),
    ]
}
