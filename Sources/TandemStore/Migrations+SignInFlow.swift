extension Migrations {
    /// The sign-in flow as a state machine (issue 11, decision 0017): versions 170–179.
    static let signInFlow: [Migration] = [
        (170, [
            // The compare-and-set counter: a write names the version it read, so a flow moves once.
            "ALTER TABLE flows ADD COLUMN version BIGINT NOT NULL DEFAULT 0",
            // What the flow's push is for (mfa, passwordless), so "send another" needn't read the challenge.
            "ALTER TABLE flows ADD COLUMN push_kind TEXT",
            // The amr of a passkey sign-in (hwk/swk, user).
            "ALTER TABLE flows ADD COLUMN passkey_methods TEXT NOT NULL DEFAULT ''",
        ]),
    ]
}
