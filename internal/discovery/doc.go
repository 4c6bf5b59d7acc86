// Package discovery is how a manhole and the manhole command find each
// other on one machine: where the socket directory is, what lies in it
// (<pid>.sock and, beside it, the metadata file <pid>.json), the metadata
// file's format, and the rules for trusting a directory, a metadata file
// and the process it names when another local user could have made them.
//
// The library writes what the CLI reads, so both take these rules from
// here. The package needs only the standard library and x/crypto/ssh (for
// the host key's format): the CLI links no SSH server through it.
//
// # Files
//
// A manhole of process pid listens on <dir>/<pid>.sock by default, where
// dir is [DefaultDir]: $XDG_RUNTIME_DIR/manhole when XDG_RUNTIME_DIR is a
// directory of the process's user, else /tmp/manhole-<uid>. Whatever the
// socket's path, its metadata file is <pid>.json in the socket's
// directory ([MetadataPath]); [Metadata] is its content.
//
// # Trust
//
// /tmp/manhole-<uid> can be created by anyone, and a <pid>.json planted
// there would send a victim's statements to the planter's socket or make
// root signal a process of the planter's choice. So a reader trusts
//
//   - a directory only if it belongs to the uid whose manholes it holds,
//     or to root, is not a symlink, and is not writable by group or
//     others unless it has the sticky bit ([CheckDir]);
//   - a metadata file only if it is a regular file (opened without
//     following a symlink) owned by the uid its process runs as (or by
//     root), not writable by group or others, naming a socket of that uid
//     ([ReadTrusted]).
//
// A metadata file whose process is gone is stale, not untrusted: the
// caller decides what it is still good for.
//
// On Windows a manhole has no unix socket and writes no metadata (see the
// root package); the functions here build there but find nothing.
package discovery
