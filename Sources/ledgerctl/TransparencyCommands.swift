import ArgumentParser
import Foundation
import Ledger
import Reports
import Transparency

/// `--signing-key FILE` (or LEDGER_SIGNING_KEY): the log's private key, which never goes
/// into the database.
struct SigningKeyOptions: ParsableArguments {
    @Option(name: .customLong("signing-key"), help: ArgumentHelp(
        "The log's private key file, written by `ledgerctl key generate` (defaults to LEDGER_SIGNING_KEY).",
        discussion: "LEDGER_SIGNING_KEY may hold the file's path or the key itself.", valueName: "file"))
    var signingKey: String?

    var isGiven: Bool { signingKey != nil || ProcessInfo.processInfo.environment["LEDGER_SIGNING_KEY"] != nil }

    /// The key, read and checked; nil when none was given.
    func load() throws(LedgerError) -> SignedNote.Signer? {
        let field = signingKey != nil ? "--signing-key" : "LEDGER_SIGNING_KEY"
        guard let value = signingKey ?? ProcessInfo.processInfo.environment["LEDGER_SIGNING_KEY"] else { return nil }
        let text: String
        if value.hasPrefix("PRIVATE+KEY+") {
            text = value
        } else {
            guard let data = FileManager.default.contents(atPath: value) else {
                throw LedgerError(kind: .notFound, field: field, "cannot read \(value)")
            }
            text = String(decoding: data, as: UTF8.self)
            if let mode = (try? FileManager.default.attributesOfItem(atPath: value))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
                FileHandle.standardError.write(Data("ledgerctl: warning: \(value) can be read by other users (mode \(String(mode, radix: 8))); `chmod 600 \(value)`\n".utf8))
            }
        }
        do {
            return try SignedNote.Signer(privateKeyText: text)
        } catch {
            throw LedgerError(field: field, error.message)
        }
    }

    func required() throws(LedgerError) -> SignedNote.Signer {
        guard let signer = try load() else {
            throw LedgerError(field: "--signing-key", "is required: the file `ledgerctl key generate` wrote (or set LEDGER_SIGNING_KEY)")
        }
        return signer
    }
}

/// `--key`: a log's published verifier key, given as the text or a file holding it.
func verifierKey(_ value: String) throws(LedgerError) -> SignedNote.Verifier {
    var text = value
    if !value.contains("+"), let data = FileManager.default.contents(atPath: value) {
        text = String(decoding: data, as: UTF8.self)
    }
    do {
        return try SignedNote.Verifier(text: text)
    } catch {
        throw LedgerError(field: "--key", error.message)
    }
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Make the key that signs the ledger's checkpoints.",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new Ed25519 signing key (mode 0600) and print its verifier key, to publish.",
            discussion: """
                The origin names the log, e.g. ledger.example.org/pmpj: it is the first line of \
                every checkpoint and the key's name (C2SP signed-note). Keep the key file \
                secret and backed up: whoever holds it can sign for the ledger, and a lost key \
                means a new log name. Publish the verifier key where newsrooms will find it \
                (your website, a press release): they check the ledger with it.
                """)

        @Option(help: ArgumentHelp("The log's name: a URL without scheme, no spaces and no '+'.", valueName: "name"))
        var origin: String
        @Option(help: ArgumentHelp("Where to write the private key; an existing file is never overwritten.", valueName: "file"))
        var output: String

        func run() throws {
            let signer: SignedNote.Signer
            do { signer = try SignedNote.Signer(generatingFor: origin) } catch { throw LedgerError(field: "--origin", error.message) }
            let descriptor = open(output, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw LedgerError(field: "--output", errno == EEXIST ? "\(output) exists; a key is never overwritten (choose another file)" : "cannot create \(output): \(String(cString: strerror(errno)))")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            handle.write(Data((signer.privateKeyText + "\n").utf8))
            try handle.close()
            FileHandle.standardError.write(Data("Wrote the signing key to \(output) (keep it secret). Publish this verifier key:\n".utf8))
            printLine(signer.verifier.text)
        }
    }
}

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Verify the chain and sign a checkpoint of it (C2SP tlog-checkpoint); prints it.",
        discussion: """
            Nothing new is signed when the latest checkpoint already covers every entry. \
            Refuses, signing nothing, when the chain is broken or no longer contains what an \
            earlier checkpoint signed. `ledgerctl serve --signing-key` signs on its own.
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var key: SigningKeyOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let signer = try key.required()
        let signing = try await options.withLedger(.write) { ledger in
            let verification = try await ledger.verify()
            guard verification.isIntact else {
                throw LedgerError(kind: .integrity, "nothing signed: the chain is broken at seq \(verification.firstBadSeq ?? 0): \(verification.problem ?? "")")
            }
            return try await ledger.signCheckpoint(with: signer)
        }
        if output.json {
            struct Answer: Encodable { var number: Int64; var size: Int64; var root: String; var isNew: Bool; var checkpoint: String }
            printLine(try ReportJSON.encode(Answer(number: signing.checkpoint.number, size: signing.checkpoint.size, root: signing.checkpoint.root,
                                                   isNew: signing.isNew, checkpoint: signing.checkpoint.note)))
            return
        }
        FileHandle.standardError.write(Data((signing.isNew
            ? "Signed checkpoint \(signing.checkpoint.number): \(signing.checkpoint.size) entries.\n"
            : "No new entries: checkpoint \(signing.checkpoint.number) (\(signing.checkpoint.size) entries) is still the latest.\n").utf8))
        FileHandle.standardOutput.write(Data(signing.checkpoint.note.utf8))
    }
}

struct Receipt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the receipt of an entry: a C2SP tlog-proof that it is in the signed log.",
        discussion: """
            The receipt holds the entry's hash, its Merkle inclusion proof and the latest \
            signed checkpoint. Anyone with the verifier key checks it offline: \
            `ledgerctl verify --receipt FILE --key KEY [--entry ENTRY.json]`.
            """)

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The entry's seq.") var seq: Int64
    @Option(help: ArgumentHelp("Write the receipt to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() async throws {
        let receipt = try await options.withLedger { ledger in try await ledger.receipt(seq: seq) }
        if let output {
            do { try Data(receipt.text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                throw LedgerError(field: "--output", "cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(receipt.text.utf8))
        }
    }
}

/// `verify --receipt FILE --key KEY [--entry FILE]`: offline, no database.
func checkReceipt(path: String, verifier: SignedNote.Verifier, entryPath: String?) throws -> String {
    let text = try readInput(path)
    let receipt: TlogProof
    do { receipt = try TlogProof(text: text) } catch { throw LedgerError(field: "--receipt", error.message) }
    var leaf = receipt.extra
    if let entryPath {
        let line = try readInput(entryPath).trimmingCharacters(in: .whitespacesAndNewlines)
        let json: JSONValue
        do { json = try JSONValue.parse(line) } catch { throw LedgerError(field: "--entry", "is not one exported entry (a line of JSON): \(error)") }
        let entry: Entry
        do { entry = try Entry(exchangeJSON: json) } catch { throw LedgerError(field: "--entry", error.description) }
        guard entry.computedHash == entry.hash else {
            throw LedgerError(kind: .integrity, field: "--entry", "seq \(entry.seq) does not hash to the hash it states: the entry was altered")
        }
        guard entry.seq == receipt.index + 1 else {
            throw LedgerError(kind: .integrity, field: "--entry", "is seq \(entry.seq), but the receipt is for seq \(receipt.index + 1)")
        }
        let hash = TreeHash(hex: entry.hash)!.bytes
        if let extra = receipt.extra, extra != hash {
            throw LedgerError(kind: .integrity, field: "--entry", "its hash is not the one the receipt carries")
        }
        leaf = hash
    }
    guard let leaf, leaf.count == TreeHash.byteCount else {
        throw LedgerError(field: "--receipt", "carries no entry hash (extra line); give the entry with --entry")
    }
    let checkpoint: Checkpoint
    do { checkpoint = try receipt.check(leafData: leaf, verifier: verifier) } catch {
        throw LedgerError(kind: .integrity, field: "--receipt", error.message)
    }
    return "Receipt valid: seq \(receipt.index + 1) (entry hash \(TreeHash(bytes: leaf)!.hex)) is in the log \(checkpoint.origin) "
        + "as signed at \(checkpoint.size) entries (root \(checkpoint.root))" + (entryPath == nil ? "." : ", and the entry given hashes to it.")
}
