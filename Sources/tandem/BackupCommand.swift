import ArgumentParser
import Foundation
import TandemCore
import TandemStore

/// How a PostgreSQL database is backed up and restored (Tandem leaves it to PostgreSQL's tools).
let postgresBackupAdvice = """
    the database is PostgreSQL: back it up and restore it with PostgreSQL's own tools, e.g.
      pg_dump --format=custom --file=tandem.dump "postgres://user@host:5432/tandem"
      pg_restore --clean --if-exists --no-owner --dbname="postgres://user@host:5432/tandem" tandem.dump
    and keep a copy of the secret key (tandem.secret-key or TANDEM_SECRET_KEY) with it
    """

/// `tandem backup FILE`: a consistent copy of the SQLite database, safe while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to FILE while the server runs (VACUUM INTO); never overwrites.",
        discussion: "The secret key (tandem.secret-key) is not in the copy: keep it with the backup, apart from it or encrypted.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The new backup file (must not exist).") var file: String

    func run() async throws {
        if db.isPostgres { throw fail(postgresBackupAdvice) }
        guard FileManager.default.fileExists(atPath: db.database) else { throw fail("no database at \(db.database) (give --data-directory or --database)") }
        guard !FileManager.default.fileExists(atPath: file) else { throw fail("\(file) exists; a backup never overwrites a file") }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else { throw fail("the folder \(folder) does not exist") }
        let started = Date()
        do {
            try await withStore(db, migrate: false) { store in try await store.backup(to: file) }
        } catch {
            throw fail("backup to \(file) failed: \(String(describing: error).prefix(300))")
        }
        chmod(file, 0o600)  // password hashes and sealed signing keys
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        print("backed up \(db.database) to \(file) (\(size) bytes, \(Int(Date().timeIntervalSince(started) * 1000)) ms)")
        print("the secret key is not in the backup: keep a copy of \(db.secretKeyPath) (or TANDEM_SECRET_KEY) with it")
    }
}

/// `tandem restore FILE`: a backup becomes the database of an empty data folder.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by `tandem backup` into an empty data folder (migrations then run, so an older backup is upgraded).",
        discussion: "The data folder may already hold the secret key file (tandem.secret-key) and nothing else. Stop any server on it first.")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The backup file.") var file: String

    func run() async throws {
        if db.isPostgres { throw fail(postgresBackupAdvice) }
        guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot read \(file)") }
        let header = (try? handle.read(upToCount: 16)) ?? nil
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else { throw fail("\(file) is not a SQLite database (not made by tandem backup)") }
        let target = db.database
        let folder = db.databaseOption == nil ? db.dataDirectory : URL(fileURLWithPath: target).deletingLastPathComponent().path
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0 != DataDirectory.secretKeyName && $0 != URL(fileURLWithPath: db.secretKeyPath).lastPathComponent }
        if db.databaseOption == nil, !present.isEmpty {
            throw fail("the data folder \(folder) is not empty (\(present.sorted().prefix(5).joined(separator: ", "))); restore into an empty folder")
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
            throw fail("\(target + suffix) exists; restore never overwrites a database")
        }
        do { try DataDirectory.prepare(folder) } catch { throw fail("\(error)") }
        do {
            try FileManager.default.copyItem(atPath: file, toPath: target)
            chmod(target, 0o600)
        } catch {
            throw fail("cannot copy \(file) to \(target): \((error as NSError).localizedDescription)")
        }
        do {
            let users = try await withStore(db) { store in try await store.countUsers() }
            print("restored \(file) into \(target) (\(users) users); the schema is up to date")
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            throw fail("\(file) is not a usable Tandem database: \(String(describing: error).prefix(300))")
        }
        if !FileManager.default.fileExists(atPath: db.secretKeyPath) && environment("TANDEM_SECRET_KEY") == nil {
            print("now copy the secret key of the backed-up server to \(db.secretKeyPath) (mode 0600) before `tandem serve`")
        }
    }
}
