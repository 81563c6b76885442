import Foundation

/// Why `slugc run` could not start the process.
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownProcessType(type: String, available: [String], slug: String)
    case missingRelease(slug: String)
    /// The slug has a release.json, and it cannot be used: `reason` says why.
    case invalidRelease(slug: String, reason: String)
    /// `--root` names nothing.
    case rootFilesystemMissing(path: String)
    /// `--root` names a file, not a folder.
    case rootFilesystemNotAFolder(path: String)
    /// `--root` names a folder with no shell in it: not a root filesystem.
    case notARootFilesystem(path: String)
    /// A root filesystem with `/bin/sh` but no `/bin/bash`, which the dyno boot needs.
    case rootFilesystemWithoutBash(path: String)
    /// Mounting and chrooting need root.
    case rootFilesystemNeedsRoot(path: String)
    /// This machine does not let slugc create mount and PID namespaces.
    case namespacesUnavailable(path: String, reason: String)
    /// The namespace started, but mounting the root filesystem in it failed.
    case rootFilesystemSetupFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownProcessType(type, available, slug):
            let choices = available.isEmpty ? "it declares none; add a Procfile and build again" : "it declares \(available.joined(separator: ", "))"
            return "\(slug) has no process type \"\(type)\": \(choices). Or run a command: slugc run \(slug) -- CMD…"
        case let .missingRelease(slug):
            return "\(slug) has no \(ReleaseMetadata.pathInSlug), so its process types are unknown. Build it with slugc build or slugc pack, or run a command: slugc run \(slug) -- CMD…"
        case let .invalidRelease(slug, reason):
            return "\(slug): \(ReleaseMetadata.pathInSlug) is not valid: \(reason). Build the slug again with slugc build or slugc pack, or run a command: slugc run \(slug) -- CMD…"
        case let .rootFilesystemMissing(path):
            return "--root \(path): no such folder. Give the folder of a root filesystem to boot the slug in (debootstrap makes one), or leave out --root to run it on this machine."
        case let .rootFilesystemNotAFolder(path):
            return "--root \(path): not a folder. Give the folder of a root filesystem to boot the slug in (debootstrap makes one), not a file or an archive."
        case let .notARootFilesystem(path):
            return "--root \(path): not a root filesystem, it has no /bin/sh or /bin/bash. Give the folder a root filesystem was installed in (with bin/, etc/ and usr/ at its top), e.g. one made by debootstrap."
        case let .rootFilesystemWithoutBash(path):
            return "--root \(path): the root filesystem has no /bin/bash, which sources .profile.d and starts the process as on a dyno. Install bash in it (apt-get install bash in a chroot), or use a root filesystem that has it."
        case let .rootFilesystemNeedsRoot(path):
            return "--root \(path): booting a slug in a root filesystem needs root, to mount it in a private mount namespace and chroot into it. Run slugc as root (e.g. with sudo), or leave out --root to run the slug on this machine."
        case let .namespacesUnavailable(path, reason):
            return "--root \(path): this machine does not let slugc create a private mount and PID namespace (\(reason)). Run slugc as root on a Linux machine that allows namespaces (in a container, one started with --privileged), or leave out --root."
        case let .rootFilesystemSetupFailed(path, reason):
            return "--root \(path): the root filesystem could not be prepared for the run (\(reason)). Check that the kernel has overlayfs and that TMPDIR is on a local disk, then run again."
        }
    }
}

extension RunError {
    /// The slug's release metadata, extracted into `app`: missing, invalid (with why) or read.
    /// A symlink out of the slug is never followed.
    static func readRelease(in app: URL, slug: String) throws(RunError) -> ReleaseMetadata {
        let data: Data
        switch AppFile.read(ReleaseMetadata.pathInSlug, in: app) {
        case .missing: throw .missingRelease(slug: slug)
        case .notAFile: throw .invalidRelease(slug: slug, reason: "it is not a regular file")
        case let .leavesFolder(target):
            throw .invalidRelease(slug: slug, reason: "it is a symlink to \(target), which leads outside the slug, so slugc did not read it")
        case let .unreadable(reason): throw .invalidRelease(slug: slug, reason: "it cannot be read (\(reason))")
        case let .contents(contents): data = contents
        }
        do {
            return try ReleaseMetadata.decode(data)
        } catch let error as DecodingError {
            throw .invalidRelease(slug: slug, reason: Self.problem(error))
        } catch {
            throw .invalidRelease(slug: slug, reason: "\(error)")
        }
    }

    /// A decoding error as a short clause ("process_types.web is not a string").
    private static func problem(_ error: DecodingError) -> String {
        func place(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = place(context)
            return "it has no \"\(key.stringValue)\"" + (parent.isEmpty ? "" : " in \(parent)")
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            let what = type == String.self ? "a string" : type == Int64.self || type == Int.self ? "a number" : "\(type)"
            return "\(place(context).isEmpty ? "the document" : place(context)) is not \(what)"
        case .dataCorrupted:
            return "it is not JSON"
        @unknown default:
            return "it cannot be decoded"
        }
    }
}
